/** Messages to and from the series loader Worker, and the columns every series is held in. */

export interface LoadRequest {
  readonly id: number;
  readonly file: string;
  readonly seriesId: number;
  readonly low: number | null;
  readonly high: number | null;
  /** Whether the file may be being written (it has WAL content): not opened immutable. */
  readonly live: boolean;
  /** Instead of a step range of one series: every series of a settled file, decoded from its pages. */
  readonly table?: boolean | undefined;
}

export type { SeriesColumns } from "../api/read-store.ts";

import type { SeriesColumns } from "../api/read-store.ts";

export interface LoadReply {
  readonly id: number;
  readonly range?: SeriesColumns;
  /** A table request's series (`columns[i]` is series `ids[i]`); absent when the pages were refused. */
  readonly table?: { readonly ids: number[]; readonly columns: SeriesColumns[] };
  readonly error?: string;
}
