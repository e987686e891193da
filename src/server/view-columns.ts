/**
 * The columns of a downsampled view of a series (FORMAT.md §11's figures, as the
 * per-run `/metrics` answer has them), from a series read whole or from the JSON text
 * a store wrote: what `/api/series/columns` writes as text (columnar-series.ts) and
 * `/api/series/packed` as float64 (packed-columns.ts).
 */

import { answerColumns } from "../api/answer-columns.ts";
import { MAX_NON_FINITE, type NonFinitePoints } from "../api/batch-wire.ts";
import type { SeriesColumns } from "../api/read-store.ts";
import type { DownsampledResponse, WireNumber } from "../api/wire.ts";
import { bucketize, bucketSize } from "../storage/downsample.ts";
import type { DownsampleRequest } from "./bodies.ts";

/** Columns of one answer, as FORMAT.md's points would be in order. */
export interface Columns {
  readonly first: number;
  readonly last: number;
  readonly total: number;
  readonly downsampled: boolean;
  /** Points `[from, to)` are buckets; any before and after are raw points. */
  readonly bucketed: readonly [number, number];
  readonly steps: ArrayLike<number>;
  readonly values: ArrayLike<number | WireNumber>;
  readonly mins: ArrayLike<number | WireNumber>;
  readonly maxs: ArrayLike<number | WireNumber>;
  /** When each point (a bucket: its middle point) was logged, seconds since 1970. */
  readonly times: ArrayLike<number>;
  /** Downsampled: the NaN and ±Infinity points the buckets leave out (see batch-wire.ts). */
  readonly nonFinite?: NonFinitePoints | undefined;
}

/**
 * The non-finite points of series positions `[first, last]`, at most
 * {@link MAX_NON_FINITE}; undefined when there are none.
 */
function nonFiniteIn(
  series: SeriesColumns,
  first: number,
  last: number,
): NonFinitePoints | undefined {
  const { steps, ys, ts } = series;
  let found: { step: number[]; value: number[]; loggedAt: number[] } | undefined;
  for (let i = first; i <= last; i++) {
    const y = ys[i] as number;
    // y - y is 0 for a finite y and NaN for NaN and ±Infinity.
    if (y - y === 0) continue;
    found ??= { step: [], value: [], loggedAt: [] };
    found.step.push(steps[i] as number);
    found.value.push(y);
    found.loggedAt.push(ts[i] as number);
    if (found.step.length >= MAX_NON_FINITE) break;
  }
  return found;
}

const empty = (first: number, last: number, total: number): Columns => ({
  first,
  last,
  total,
  downsampled: false,
  bucketed: [0, 0],
  steps: [],
  values: [],
  mins: [],
  maxs: [],
  times: [],
});

/** The columns of a series read whole, as the view `request` asks. */
export function columnsView(
  series: SeriesColumns | undefined,
  request: DownsampleRequest,
): Columns {
  const total = series?.length ?? 0;
  if (series === undefined || total === 0) return empty(0, 0, 0);
  const first = request.first === undefined ? 0 : Math.max(0, request.first);
  const last = request.last === undefined ? total - 1 : Math.min(total - 1, request.last);
  if (first > last) return empty(first, last, total);
  const { steps, ys, ts } = series;
  const count = last - first + 1;
  if (count <= request.pointCount) {
    const ends = [first, last + 1] as const;
    const values = ys.subarray(...ends);
    return {
      first,
      last,
      total,
      downsampled: false,
      bucketed: [0, 0],
      steps: steps.subarray(...ends),
      values,
      mins: values,
      maxs: values,
      times: ts.subarray(...ends),
    };
  }
  const buckets = bucketize(series, first, last + 1, bucketSize(count, request.pointCount));
  const head = (buckets[0] as { step: number }).step !== steps[first] ? [first] : [];
  const tail = (buckets[buckets.length - 1] as { step: number }).step !== steps[last] ? [last] : [];
  const pointSteps: number[] = [];
  const values: number[] = [];
  const mins: number[] = [];
  const maxs: number[] = [];
  const times: number[] = [];
  const raw = (i: number) => {
    const y = ys[i] as number;
    pointSteps.push(steps[i] as number);
    values.push(y);
    mins.push(y);
    maxs.push(y);
    times.push(ts[i] as number);
  };
  for (const i of head) raw(i);
  for (const bucket of buckets) {
    pointSteps.push(bucket.step);
    values.push(bucket.value);
    mins.push(bucket.minY);
    maxs.push(bucket.maxY);
    times.push(bucket.ts);
  }
  for (const i of tail) raw(i);
  return {
    first,
    last,
    total,
    downsampled: true,
    bucketed: [head.length, head.length + buckets.length],
    steps: pointSteps,
    values,
    mins,
    maxs,
    times,
    // The raw ends are points of the view already, with their own values.
    nonFinite: nonFiniteIn(series, first + head.length, last - tail.length),
  };
}

/** The columns of a view a store wrote as FORMAT.md's JSON text, each point's `logged_at` as seconds. */
export function answerView(text: string): Columns {
  const answer = answerColumns(JSON.parse(text) as DownsampledResponse);
  return {
    first: answer.firstPointIndex,
    last: answer.lastPointIndex,
    total: answer.totalCount,
    downsampled: answer.downsampled,
    bucketed: answer.bucketed,
    steps: answer.step,
    values: answer.value,
    mins: answer.minY,
    maxs: answer.maxY,
    times: answer.loggedAt,
  };
}
