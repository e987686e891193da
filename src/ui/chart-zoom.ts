/**
 * Fetching a zoomed range: from the finest points already held, each answer's buckets
 * say which series indices the range needs, and the range is asked for again until it
 * comes back point for point (it holds fewer points than the chart's width) or cannot
 * narrow further. Each step works on the finer answer, never on the first overview's
 * coarse buckets.
 */

import { api, type RunSummary } from "./api.ts";
import { indexRange, type Trace, toTrace, traceXs, type XMode } from "./chart-traces.ts";

/** How many refetches a zoom may take to reach the range's own points. */
const MAX_REFINES = 6;

/** Whether a trace holds the points on both sides of the range. */
function covers(trace: Trace, mode: XMode, range: { from: number; to: number }): boolean {
  const xs = traceXs(trace, mode);
  return (
    xs.length > 0 && (xs[0] as number) <= range.from && (xs[xs.length - 1] as number) >= range.to
  );
}

/**
 * The points of `whole`'s series in the x range, as finely as `pointCount` allows;
 * `held` is what an earlier zoom fetched (used when it covers the range).
 */
export async function zoomedTrace(
  whole: Trace<RunSummary>,
  held: Trace<RunSummary> | undefined,
  mode: XMode,
  range: { from: number; to: number },
  pointCount: number,
): Promise<Trace<RunSummary>> {
  if (!whole.downsampled) return whole;
  let current = held && covers(held, mode, range) ? held : whole;
  if (!current.downsampled) return current;
  for (let i = 0; i < MAX_REFINES; i++) {
    const wanted = indexRange(current, traceXs(current, mode), range.from, range.to);
    if (!wanted) return current;
    const has = {
      first: current.starts[0] as number,
      last: current.ends[current.ends.length - 1] as number,
    };
    if (current !== whole && wanted.first <= has.first && wanted.last >= has.last) return current;
    const series = await api.metrics(whole.run, whole.path, pointCount, wanted.first, wanted.last);
    current = toTrace(whole.run, whole.path, whole.color, series, pointCount);
    if (!current.downsampled) return current;
  }
  return current;
}

/**
 * Every logged point of the series of `whole` (or of the x range, as `shown` maps it to
 * series indices), raw: for the CSV export.
 */
export async function rawPoints(
  whole: Trace<RunSummary>,
  shown: Trace<RunSummary>,
  mode: XMode,
  range: { from: number; to: number } | undefined,
): Promise<{ step: number; loggedAt: string; value: number }[]> {
  let first = 0;
  let last = whole.total - 1;
  if (range) {
    const wanted = indexRange(shown, traceXs(shown, mode), range.from, range.to);
    if (!wanted) return [];
    first = wanted.first;
    last = wanted.last;
  }
  if (last < first) return [];
  const count = last - first + 1;
  const series = await api.metrics(whole.run, whole.path, count, first, last);
  const trace = toTrace(whole.run, whole.path, whole.color, series, count);
  const xs = traceXs(trace, mode);
  return series.points.flatMap((point, i) => {
    const x = xs[i] as number;
    if (range && (x < range.from || x > range.to)) return [];
    return [{ step: point.step, loggedAt: point.logged_at, value: trace.values[i] as number }];
  });
}
