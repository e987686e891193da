/** Messages to and from the series loader Worker, and the columns every series is held in. */

export interface LoadRequest {
  readonly id: number;
  readonly file: string;
  readonly seriesId: number;
  readonly low: number | null;
  readonly high: number | null;
  /** Whether the file may be being written (it has WAL content): not opened immutable. */
  readonly live: boolean;
}

/**
 * The points of a metric series as columns, in step order (or, straight from a
 * file's pages, in rowid order). Entries past `length` are spare room.
 */
export interface SeriesColumns {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly ts: Float64Array;
  readonly length: number;
}

export interface LoadReply {
  readonly id: number;
  readonly range?: SeriesColumns;
  readonly error?: string;
}
