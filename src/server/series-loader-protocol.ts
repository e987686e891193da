/** Messages to and from the series loader Worker. */

export interface LoadRequest {
  readonly id: number;
  readonly file: string;
  readonly seriesId: number;
  readonly low: number | null;
  readonly high: number | null;
  /** Whether the file may be being written (it has WAL content): not opened immutable. */
  readonly live: boolean;
}

export interface LoadedRange {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly ts: Float64Array;
  readonly length: number;
}
