/**
 * A run's points as a chart holds them: columns, plus the range of series indices each
 * (possibly downsampled) point stands for, which zooming turns back into
 * firstPointIndex/lastPointIndex.
 */

import { type DownsampledSeries, num, type RunSummary } from "./api.ts";

/** One run's points on one chart, with the series index each point stands for. */
export interface Trace {
  run: RunSummary;
  color: string;
  steps: number[];
  values: number[];
  mins: number[];
  maxs: number[];
  /** First and last series index each point covers. */
  starts: number[];
  ends: number[];
  total: number;
  downsampled: boolean;
}

/** The bucket size the server uses: the smallest power of two with ceil(R / k) <= N. */
function bucketSize(count: number, pointCount: number): number {
  let k = 1;
  while (Math.ceil(count / k) > pointCount) k *= 2;
  return k;
}

export function toTrace(
  run: RunSummary,
  color: string,
  series: DownsampledSeries,
  pointCount: number,
): Trace {
  const trace: Trace = {
    run,
    color,
    steps: [],
    values: [],
    mins: [],
    maxs: [],
    starts: [],
    ends: [],
    total: series.totalCount,
    downsampled: series.downsampled,
  };
  const f = series.firstPointIndex;
  const l = series.lastPointIndex;
  const k = series.downsampled ? bucketSize(l - f + 1, pointCount) : 1;
  let bucket = 0;
  series.points.forEach((point, index) => {
    let start: number;
    let end: number;
    if (point.downsampled) {
      start = f + bucket * k;
      end = Math.min(f + (bucket + 1) * k, l + 1) - 1;
      bucket++;
    } else if (series.downsampled) {
      start = end = index === 0 ? f : l;
    } else {
      start = end = f + index;
    }
    trace.steps.push(point.step);
    trace.values.push(num(point.value));
    trace.mins.push(num(point.minY ?? point.value));
    trace.maxs.push(num(point.maxY ?? point.value));
    trace.starts.push(start);
    trace.ends.push(end);
  });
  return trace;
}
