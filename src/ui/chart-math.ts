/**
 * The numbers behind a chart, kept free of the DOM so that they are tested and timed
 * alone: debiased EMA smoothing, tick labels that stay distinct at any zoom, and the
 * alignment of many runs' lines on one x axis.
 */

import type { XMode } from "./chart-traces.ts";

/**
 * Debiased exponential moving average, as TensorBoard smooths: `weight` 0 returns
 * the values, 0.99 nearly flattens them. Non-finite values pass through and do not
 * enter the average. `counts[i]` is how many logged points value i stands for (a
 * downsampled bucket): such a point decays the average as much as its points would
 * have one by one, so the line keeps its shape from the overview down to raw points.
 */
export function smooth(
  values: readonly number[],
  weight: number,
  counts?: readonly number[],
  start: EmaState = { last: 0, total: 0 },
): number[] {
  const out = new Array<number>(values.length);
  if (!(weight > 0)) {
    for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
    return out;
  }
  ema(values, counts, weight, start, values.length, out);
  return out;
}

/**
 * Runs the average of {@link smooth} over `values[0..end)` from `state`, writing each
 * debiased value into `out` when given; answers where the average stands after them.
 */
function ema(
  values: readonly number[],
  counts: readonly number[] | undefined,
  weight: number,
  state: EmaState,
  end: number,
  out?: number[],
): EmaState {
  let { last, total } = state;
  for (let i = 0; i < end; i++) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) {
      if (out) out[i] = value;
      continue;
    }
    const count = counts?.[i] ?? 1;
    const w = count === 1 ? weight : weight ** count;
    last = last * w + (1 - w) * value;
    total = total * w + (1 - w);
    if (out) out[i] = last / total;
  }
  return { last, total };
}

/** Where a {@link smooth} average stands: its sum and its weight, before debiasing. */
export interface EmaState {
  last: number;
  total: number;
}

/**
 * The average of the points at x below `x` (a line's whole-range overview), from which
 * a zoomed range's smoothing goes on: started afresh at the zoom's left edge, the
 * smoothed line changed as one zoomed.
 */
export function emaBefore(
  xs: readonly number[],
  values: readonly number[],
  counts: readonly number[],
  weight: number,
  x: number,
): EmaState {
  let end = 0;
  while (end < xs.length && (xs[end] as number) < x) end++;
  return ema(values, counts, weight, { last: 0, total: 0 }, end);
}

/** Decimals that tell apart numbers `increment` apart (at most 12). */
function decimalsFor(increment: number): number {
  for (let decimals = 0; decimals < 12; decimals++) {
    const scaled = increment * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return decimals;
  }
  return 12;
}

/**
 * A log y scale's range over the values drawn, `[min, max]`, padded by 4% of its decades
 * on each side; not stretched to whole decades (a loss from 0.37 to 1 on 0.1…10 left
 * two thirds of the chart empty). Ranges under a tenth of a decade are widened to it.
 *
 * @example logRange(0.37, 1) // ≈ [0.356, 1.04]
 */
export function logRange(min: number | null, max: number | null): [number, number] {
  const high = max !== null && Number.isFinite(max) && max > 0 ? max : 10;
  const low = min !== null && Number.isFinite(min) && min > 0 && min <= high ? min : high / 10;
  let from = Math.log10(low);
  let to = Math.log10(high);
  if (to - from < 0.1) {
    const middle = (from + to) / 2;
    from = middle - 0.05;
    to = middle + 0.05;
  }
  const pad = (to - from) * 0.04;
  // Within what a double holds (1e-300 … 1e300 padded would reach 0 and Infinity).
  return [10 ** Math.max(-307, from - pad), 10 ** Math.min(307, to + pad)];
}

/**
 * Labels for tick values `increment` apart: as many digits as it takes to keep
 * neighbours distinct, exponents beyond 1e6 and below 1e-3.
 */
export function tickLabels(splits: readonly number[], increment?: number): string[] {
  const finite = splits.filter((value) => Number.isFinite(value));
  let step = increment ?? 0;
  if (!(step > 0) && finite.length > 1)
    step = Math.abs((finite[1] as number) - (finite[0] as number));
  const largest = finite.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
  const exponential = largest >= 1e6 || (largest > 0 && largest < 1e-3);
  return splits.map((value) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return "";
    if (value === 0) return "0";
    if (exponential) {
      const digits =
        step > 0 ? Math.floor(Math.log10(Math.abs(value))) - Math.floor(Math.log10(step)) + 1 : 3;
      return value
        .toExponential(Math.min(14, Math.max(0, digits - 1)))
        .replace(/\.?0+e/, "e")
        .replace("e+", "e");
    }
    const decimals = step > 0 ? decimalsFor(step) : 3;
    return value.toFixed(decimals);
  });
}

/**
 * Durations of a relative-time axis: `1:05:00`, `4:10`, `12.5s`, and `1:23:19.25` when
 * ticks are under a second apart (deep in a zoom every whole-second label would repeat).
 * Rounded once, at the label's precision: 59.9996 s in milliseconds reads `1:00.000`.
 */
export function durationLabel(seconds: number, increment = 1): string {
  if (!Number.isFinite(seconds)) return "";
  const decimals = increment >= 1 ? 0 : decimalsFor(increment);
  const scale = 10 ** decimals;
  const abs = Math.round(Math.abs(seconds) * scale) / scale;
  const sign = seconds < 0 && abs > 0 ? "-" : "";
  if (abs < 60 && increment < 60) return `${sign}${abs.toFixed(decimals)}s`;
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs - h * 3600) / 60);
  const s = (abs - h * 3600 - m * 60)
    .toFixed(decimals)
    .padStart(decimals > 0 ? 3 + decimals : 2, "0");
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${sign}${h}:${pad(m)}:${s}` : `${sign}${m}:${s}`;
}

/** Steps a zoomed step axis holds at least: a few points to draw a line through. */
export const MIN_STEPS = 4;
/** Seconds a zoomed time axis holds at least: ticks 1 ms apart still read apart there. */
export const MIN_TIME_SPAN_S = 0.005;

/**
 * The narrowest x window a zoom may reach, in the axis's units: on a step axis
 * MIN_STEPS of the lines' step unit (see stepUnit; a window of a fraction of a whole
 * step holds no point and ticks of `499336.366`), on a time axis MIN_TIME_SPAN_S.
 */
export function minZoomSpan(mode: XMode, unit = 1): number {
  return mode === "step" ? MIN_STEPS * unit : MIN_TIME_SPAN_S;
}

/**
 * The finest step the lines were logged at, as a power of ten no larger than 1: 1 for
 * whole steps, 0.001 for steps 0.001 apart (fractional steps are stored as they are).
 * A logged point tells by its own digits; a downsampled bucket (`counts[i] > 1`) by the
 * spacing of its logged steps, its distance to the next bucket over their counts; a
 * group's mean, at its runs' (bucket) steps, by its distance to the next one.
 */
export function stepUnit(
  lines: readonly { xs: readonly number[]; counts: readonly number[]; group?: boolean }[],
): number {
  let unit = 1;
  for (const line of lines) {
    const { xs, counts } = line;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] as number;
      if (!line.group && (counts[i] ?? 1) <= 1) {
        if (Number.isFinite(x) && !Number.isInteger(x))
          unit = Math.min(unit, 10 ** -decimalsFor(x));
        continue;
      }
      if (i + 1 >= xs.length) continue;
      const points = line.group ? 1 : ((counts[i] ?? 1) + (counts[i + 1] ?? 1)) / 2;
      const spacing = ((xs[i + 1] as number) - x) / points;
      // Buckets of whole steps are a step apart per point (half a step of slack for uneven
      // logging); a group's mean is at its runs' bucket steps, whole or halves.
      if (spacing > 0 && spacing < 0.5)
        unit = Math.min(unit, 10 ** Math.floor(Math.log10(spacing)));
    }
  }
  return unit;
}

/** The range [from, to] widened about its middle to at least `span` (unchanged when wider). */
export function atLeastSpan(
  range: { from: number; to: number },
  span: number,
): { from: number; to: number } {
  if (range.to - range.from >= span) return range;
  const middle = (range.from + range.to) / 2;
  return { from: middle - span / 2, to: middle + span / 2 };
}

/**
 * Puts lines that each have their own sorted x values on one shared x axis, as uPlot
 * draws them: one column of x values (the union) and, per line, a column where x
 * values the line lacks are `undefined`. uPlot steps over `undefined` (the line
 * continues to its next point) and breaks the line only at `null`, which marks the
 * line's own gaps (NaN, ±Infinity, non-positive values on a log scale).
 */
export function alignLines(
  lines: readonly { xs: readonly number[]; ys: readonly (number | null)[] }[],
): [number[], ...(number | null | undefined)[][]] {
  const xs =
    lines.length === 1 ? (lines[0]?.xs ?? []).slice() : unionOf(lines.map((line) => line.xs));
  const columns: (number | null | undefined)[][] = lines.map((line) => {
    const column = new Array<number | null | undefined>(xs.length);
    let at = 0;
    for (let i = 0; i < line.xs.length; i++) {
      const x = line.xs[i] as number;
      while ((xs[at] as number) < x) at++;
      column[at] = line.ys[i] as number | null;
    }
    return column;
  });
  return [xs, ...columns];
}

/** Index of the value in sorted `xs` nearest to `x` (-1 when empty). */
export function nearestIndex(xs: readonly number[], x: number): number {
  if (xs.length === 0) return -1;
  let low = 0;
  let high = xs.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((xs[middle] as number) < x) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && x - (xs[low - 1] as number) < (xs[low] as number) - x) return low - 1;
  return low;
}

/**
 * The distinct values of sorted lists, sorted. Copied and sorted natively: a board's
 * first view runs this before the page's code is optimized, where a loop per value
 * took 20-25 ms of its 11 charts.
 */
export function unionOf(lists: readonly (readonly number[])[]): number[] {
  let size = 0;
  for (const list of lists) size += list.length;
  const all = new Float64Array(size);
  let at = 0;
  for (const list of lists) {
    all.set(list, at);
    at += list.length;
  }
  all.sort();
  const out = new Array<number>(size);
  let count = 0;
  for (let i = 0; i < size; i++) {
    const value = all[i] as number;
    if (count === 0 || value !== out[count - 1]) out[count++] = value;
  }
  out.length = count;
  return out;
}

/**
 * Tick spacings of a relative-time axis, in seconds: whole seconds, minutes, hours and
 * days (uPlot's 1-2-5 steps gave a phone's 15-minute axis one tick, at 8:20).
 */
export const DURATION_INCREMENTS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900,
  1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000, 7776000, 31536000,
];

/**
 * Tick spacings of a step axis: 1, 2, 5 times powers of ten from the lines' step unit
 * up (see stepUnit), so that ticks fall on steps the runs could log: whole steps for
 * whole-step runs, whatever the zoom.
 */
export function stepIncrements(unit: number): number[] {
  const first = Math.round(Math.log10(unit));
  return Array.from(
    { length: (16 - first) * 3 },
    (_, i) => ([1, 2, 5][i % 3] as number) * 10 ** (Math.floor(i / 3) + first),
  );
}
