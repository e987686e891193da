/** Messages to and from the series loader Worker, and the columns every series is held in. */

/** A step range of one series. */
export interface RangeRequest {
  readonly id: number;
  readonly file: string;
  readonly seriesId: number;
  readonly low: number | null;
  readonly high: number | null;
  /** Whether the file may be being written (it has WAL content): not opened immutable. */
  readonly live: boolean;
  readonly table?: undefined;
}

/** Every series of a settled file, decoded from its pages. */
export interface TableRequest {
  readonly id: number;
  readonly file: string;
  readonly table: true;
}

export type LoadRequest = RangeRequest | TableRequest;

export type { SeriesColumns } from "../api/read-store.ts";

import type { SeriesColumns } from "../api/read-store.ts";

export interface LoadReply {
  readonly id: number;
  readonly range?: SeriesColumns;
  /** A table request's series (`columns[i]` is series `ids[i]`); absent when the pages were refused. */
  readonly table?: { readonly ids: number[]; readonly columns: SeriesColumns[] };
  readonly error?: string;
}
