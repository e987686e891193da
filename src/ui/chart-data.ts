/**
 * What a chart fetches, each in one `/api/series` request for all its sources: the
 * whole series downsampled to the chart's width, the points live runs logged since the
 * last look, and (for the CSV export) every logged point of the whole or zoomed range.
 */

import { api, type RunSummary, type SeriesSource } from "./api.ts";
import { type CsvPoint, toCsv } from "./chart-export.ts";
import type { SeriesAnswer } from "./chart-run.ts";
import { appendTrace, type Trace, toTrace, type XMode } from "./chart-traces.ts";
import { rawPoints } from "./chart-zoom.ts";

/** The whole series of every source, downsampled to about `pointCount` points each. */
export async function overviewTraces(
  sources: readonly (SeriesSource & { run: RunSummary })[],
  colorOf: (run: RunSummary) => string,
  pointCount: number,
): Promise<Trace<RunSummary>[]> {
  const answers = await api.series(sources, pointCount);
  return sources.map((source, index) =>
    toTrace(
      source.run,
      source.path,
      colorOf(source.run),
      answers[index] as SeriesAnswer,
      pointCount,
    ),
  );
}

/**
 * Appends to the traces of running runs the points logged after their last one;
 * whether any trace grew.
 */
export async function extendTraces(
  traces: readonly Trace<RunSummary>[],
  pointCount: number,
): Promise<boolean> {
  const live = traces.filter((trace) => trace.run.status === "running");
  if (live.length === 0) return false;
  const answers = await api.series(
    live.map((trace) => ({
      run: trace.run,
      path: trace.path,
      first: (trace.ends[trace.ends.length - 1] ?? -1) + 1,
    })),
    pointCount,
  );
  let grew = false;
  live.forEach((trace, index) => {
    const series = answers[index] as SeriesAnswer;
    if (series.totalCount <= trace.total && series.step.length === 0) return;
    const added = toTrace(trace.run, trace.path, trace.color, series, pointCount);
    appendTrace(trace, added);
    grew = grew || added.steps.length > 0;
  });
  return grew;
}

/** Every logged point of each source (or of the zoomed range), as CSV. */
export async function chartCsv(
  overview: readonly Trace<RunSummary>[],
  zoomed: readonly Trace<RunSummary>[] | undefined,
  mode: XMode,
  range: { from: number; to: number } | undefined,
): Promise<string> {
  const points: CsvPoint[] = [];
  for (const [index, whole] of overview.entries()) {
    const shown = zoomed?.[index] ?? whole;
    for (const point of await rawPoints(whole, shown, mode, range))
      points.push({
        project: whole.run.project,
        run: whole.run.run_id,
        path: whole.path,
        ...point,
      });
  }
  return toCsv(points);
}
