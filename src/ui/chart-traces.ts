/**
 * A run's points as a chart holds them: columns, plus the range of series indices each
 * (possibly downsampled) point stands for, which zooming turns back into
 * firstPointIndex/lastPointIndex, and the time each was logged, for time axes.
 */

import { fromWire } from "../api/wire-number.ts";
import type { ChartRun, SeriesAnswer } from "./chart-run.ts";

/** What the x axis measures: the step, seconds since the run started, or the wall clock. */
export type XMode = "step" | "relative" | "wall";

/** One run's points on one chart, with the series index each point stands for. */
export interface Trace<R extends ChartRun = ChartRun> {
  run: R;
  /** The metric path the points come from (a system chart gathers several per run). */
  path: string;
  color: string;
  steps: number[];
  values: number[];
  mins: number[];
  maxs: number[];
  /** When each point was logged, in seconds since 1970 (whole seconds, as stored). */
  times: number[];
  /** First and last series index each point covers. */
  starts: number[];
  ends: number[];
  total: number;
  downsampled: boolean;
  /** NaN and ±Infinity points inside the buckets (downsampled answers), to be marked. */
  nonFinite?: { steps: number[]; values: number[]; times: number[] };
}

/** The bucket size the server uses: the smallest power of two with ceil(R / k) <= N. */
function bucketSize(count: number, pointCount: number): number {
  let k = 1;
  while (Math.ceil(count / k) > pointCount) k *= 2;
  return k;
}

export function emptyTrace<R extends ChartRun>(run: R, path: string, color: string): Trace<R> {
  return {
    run,
    path,
    color,
    steps: [],
    values: [],
    mins: [],
    maxs: [],
    times: [],
    starts: [],
    ends: [],
    total: 0,
    downsampled: false,
  };
}

export function toTrace<R extends ChartRun>(
  run: R,
  path: string,
  color: string,
  series: SeriesAnswer,
  pointCount: number,
): Trace<R> {
  const trace = emptyTrace(run, path, color);
  trace.total = series.totalCount;
  trace.downsampled = series.downsampled;
  const f = series.firstPointIndex;
  const l = series.lastPointIndex;
  const k = series.downsampled ? bucketSize(l - f + 1, pointCount) : 1;
  const [from, to] = series.bucketed;
  // Copies: a trace's columns grow (live points appended), the answer's stay as sent.
  trace.steps = series.step.slice();
  trace.values = series.value.map(fromWire);
  trace.mins = series.minY.map(fromWire);
  trace.maxs = series.maxY.map(fromWire);
  trace.times = series.loggedAt.slice();
  if (series.nonFinite)
    trace.nonFinite = {
      steps: series.nonFinite.step.slice(),
      values: series.nonFinite.value.slice(),
      times: series.nonFinite.loggedAt.slice(),
    };
  const count = series.step.length;
  trace.starts = new Array<number>(count);
  trace.ends = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    let start: number;
    let end: number;
    if (i >= from && i < to) {
      start = f + (i - from) * k;
      end = Math.min(start + k, l + 1) - 1;
    } else if (series.downsampled) {
      start = end = i < from ? f : l;
    } else {
      start = end = f + i;
    }
    trace.starts[i] = start;
    trace.ends[i] = end;
  }
  return trace;
}

/** Appends `added` (points after the last one of `trace`) to `trace`. */
export function appendTrace(trace: Trace, added: Trace): void {
  for (const key of ["steps", "values", "mins", "maxs", "times", "starts", "ends"] as const)
    for (const value of added[key]) trace[key].push(value);
  // The appended page's buckets leave their NaN and ±Infinity points out as the first
  // page's did: they are listed after the trace's own.
  if (added.nonFinite) {
    trace.nonFinite ??= { steps: [], values: [], times: [] };
    const into = trace.nonFinite;
    into.steps.push(...added.nonFinite.steps);
    into.values.push(...added.nonFinite.values);
    into.times.push(...added.nonFinite.times);
  }
  trace.total = added.total;
}

/**
 * When a run started, in seconds since 1970: its creation, else its first point. Points
 * are timed in whole seconds: so is the start, or a point logged in the run's first
 * second (time 1000 for 1000.3) would sit before it (at -0.16 s for a start at 1000.16).
 */
export function runStart(trace: Trace): number {
  const created = trace.run.created_at ? Date.parse(trace.run.created_at) / 1000 : Number.NaN;
  return Number.isFinite(created) ? Math.floor(created) : (trace.times[0] ?? 0);
}

/**
 * The x value of each point. Time is stored in whole seconds, so points logged within
 * one second are spread evenly across it, in step order, instead of piling up.
 */
export function traceXs(trace: Trace, mode: XMode): number[] {
  if (mode === "step") return trace.steps;
  const offset = mode === "relative" ? runStart(trace) : 0;
  const times = trace.times;
  const xs = new Array<number>(times.length);
  let i = 0;
  while (i < times.length) {
    let j = i;
    while (j + 1 < times.length && times[j + 1] === times[i]) j++;
    const count = j - i + 1;
    for (let n = 0; n < count; n++) xs[i + n] = (times[i] as number) - offset + n / count;
    i = j + 1;
  }
  return xs;
}

/** Where the trace's non-finite points inside buckets lie on the x axis of `mode`. */
export function hiddenXs(trace: Trace, mode: XMode): number[] {
  const hidden = trace.nonFinite;
  if (!hidden) return [];
  if (mode === "step") return hidden.steps;
  const offset = mode === "relative" ? runStart(trace) : 0;
  return hidden.times.map((time) => time - offset);
}

/** How many logged points each point of the trace stands for. */
export function traceCounts(trace: Trace): number[] {
  return trace.starts.map((start, i) => Math.max(1, (trace.ends[i] as number) - start + 1));
}

/**
 * The series indices [first, last] that hold the x range [from, to], with one point
 * more on each side so that lines run on to the chart's edges; undefined when the
 * trace has no points there.
 */
export function indexRange(
  trace: Trace,
  xs: readonly number[],
  from: number,
  to: number,
): { first: number; last: number } | undefined {
  if (xs.length === 0) return undefined;
  let first = 0;
  while (first < xs.length && (xs[first] as number) < from) first++;
  let last = xs.length - 1;
  while (last >= 0 && (xs[last] as number) > to) last--;
  first = Math.max(0, first - 1);
  last = Math.min(xs.length - 1, last + 1);
  if (last < first) return undefined;
  return { first: trace.starts[first] as number, last: trace.ends[last] as number };
}

/**
 * Points to ask for across a chart `width` pixels wide. The whole series: one per
 * pixel for a few lines (the min/max band shows what each pixel's bucket spans), fewer
 * as lines pile up (30 lines of 1,000 points are a blur). A zoomed range: half as many
 * again for a few lines, so that it comes back point for point sooner.
 */
export function pointsFor(width: number, lines: number, zoomed = false): number {
  const perPixel = lines <= 4 ? (zoomed ? 1.5 : 1) : lines <= 10 ? (zoomed ? 1 : 0.75) : 0.5;
  return Math.max(200, Math.min(4000, Math.round(width * perPixel)));
}
