/**
 * Fetching a zoomed range: from the finest points already held, each answer's buckets
 * say which series indices the range needs, and the range is asked for again until it
 * comes back point for point (it holds fewer points than the chart's width) or cannot
 * narrow further. Each step works on the finer answer, never on the first overview's
 * coarse buckets, and asks for every run's range in one `/api/series` request.
 */

import { answerColumns } from "../api/answer-columns.ts";
import { api, type RunSummary } from "./api.ts";
import { atLeastSpan, minZoomSpan, stepUnit } from "./chart-math.ts";
import type { SeriesAnswer } from "./chart-run.ts";
import {
  indexRange,
  type Trace,
  toTrace,
  traceCounts,
  traceXs,
  type XMode,
} from "./chart-traces.ts";

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
 * The points of each of `wholes`' series in the x range, as finely as `pointCount`
 * allows; `held` is what an earlier zoom fetched (used where it covers the range).
 * Each round asks for every series that still needs finer points in one request.
 */
export async function zoomedTraces(
  wholes: readonly Trace<RunSummary>[],
  held: readonly (Trace<RunSummary> | undefined)[],
  mode: XMode,
  asked: { from: number; to: number },
  pointCount: number,
): Promise<Trace<RunSummary>[]> {
  // Never narrower than the axis can show (see minZoomSpan), whoever asked for the range.
  const unit =
    mode === "step"
      ? stepUnit(wholes.map((whole) => ({ xs: whole.steps, counts: traceCounts(whole) })))
      : 1;
  const range = atLeastSpan(asked, minZoomSpan(mode, unit));
  const current = wholes.map((whole, index) => {
    const before = held[index];
    return whole.downsampled && before && covers(before, mode, range) ? before : whole;
  });
  const done = current.map((trace) => !trace.downsampled);
  for (let round = 0; round < MAX_REFINES; round++) {
    const asks: { index: number; first: number; last: number }[] = [];
    current.forEach((trace, index) => {
      if (done[index]) return;
      const wanted = indexRange(trace, traceXs(trace, mode), range.from, range.to);
      const has = {
        first: trace.starts[0] as number,
        last: trace.ends[trace.ends.length - 1] as number,
      };
      if (
        !wanted ||
        (trace !== wholes[index] && wanted.first <= has.first && wanted.last >= has.last)
      )
        done[index] = true;
      else asks.push({ index, ...wanted });
    });
    if (asks.length === 0) break;
    const answers = await api.series(
      asks.map(({ index, first, last }) => {
        const whole = wholes[index] as Trace<RunSummary>;
        return { run: whole.run, path: whole.path, first, last };
      }),
      pointCount,
    );
    asks.forEach(({ index }, k) => {
      const whole = wholes[index] as Trace<RunSummary>;
      const trace = toTrace(
        whole.run,
        whole.path,
        whole.color,
        answers[k] as SeriesAnswer,
        pointCount,
      );
      current[index] = trace;
      if (!trace.downsampled) done[index] = true;
    });
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
  const trace = toTrace(whole.run, whole.path, whole.color, answerColumns(series), count);
  const xs = traceXs(trace, mode);
  return series.points.flatMap((point, i) => {
    const x = xs[i] as number;
    if (range && (x < range.from || x > range.to)) return [];
    return [{ step: point.step, loggedAt: point.logged_at, value: trace.values[i] as number }];
  });
}
