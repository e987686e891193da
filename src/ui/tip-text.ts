/**
 * The words and the layout of a chart's hover list: the cursor's x as the axis
 * measures it (a step of a downsampled bucket rounded to the steps it stands for, never
 * "step 1234.5"), what each line's value is when the line has no point there (ended,
 * not started yet, or its nearest point), and the rows and columns that list every
 * line. Pure, so it is tested alone.
 */

import { durationLabel } from "./chart-math.ts";
import type { XMode } from "./chart-traces.ts";

/** A step in full: every digit of a whole step (1234567, not 1.23457e+6), decimals kept short. */
export function stepNumber(step: number): string {
  if (!Number.isFinite(step)) return String(step);
  if (Number.isInteger(step)) return String(step);
  const digits = Math.max(0, Math.floor(Math.log10(Math.abs(step)))) + 1;
  return String(Number(step.toPrecision(Math.min(17, digits + 5))));
}

/**
 * The x spacing of the logged points around point `i` of a line, when that point is a
 * downsampled bucket of `counts[i]` points (undefined: a logged point, exact). A group's
 * mean is drawn at its runs' steps, logged or bucket means (899.5): whole steps, unless
 * its points are under half a step apart (a group of runs logged at fractional steps).
 */
export function bucketSpacing(
  line: { xs: readonly number[]; counts: readonly number[]; group?: boolean },
  i: number,
): number | undefined {
  const xs = line.xs;
  if (line.group) {
    const x = xs[i] as number;
    const gaps = [
      x - (xs[i - 1] ?? Number.NEGATIVE_INFINITY),
      (xs[i + 1] ?? Number.POSITIVE_INFINITY) - x,
    ];
    const gap = Math.min(...gaps.filter((value) => value > 0));
    return gap < 0.5 ? gap : 1;
  }
  const count = line.counts[i] ?? 1;
  if (count <= 1) return undefined;
  const before = xs[Math.max(0, i - 1)] as number;
  const after = xs[Math.min(xs.length - 1, i + 1)] as number;
  const gaps = Math.min(xs.length - 1, i + 1) - Math.max(0, i - 1);
  if (gaps <= 0 || !(after > before)) return undefined;
  return (after - before) / gaps / count;
}

/**
 * `x` rounded to what the points near it (or a pixel) can tell apart: a bucket of whole
 * steps to a whole step, of steps 0.001 apart to 0.001, a pixel of 40 steps to tens;
 * `spacing` undefined leaves it.
 */
export function roundX(x: number, spacing: number | undefined): number {
  if (spacing === undefined || !(spacing > 0)) return x;
  const unit = 10 ** Math.floor(Math.log10(spacing));
  const rounded = Math.round(x / unit) * unit;
  // 0.1 * 3 is 0.30000000000000004: keep the unit's decimals only.
  return unit >= 1 ? rounded : Number(rounded.toFixed(Math.min(15, -Math.log10(unit))));
}

/**
 * Decimals of a second worth showing when a pixel spans `resolution` seconds: none at a
 * second or more, at most milliseconds (deep in a zoom every label would read 1:23:19).
 */
export function secondDecimals(resolution: number | undefined): number {
  if (resolution === undefined || !(resolution < 1)) return 0;
  return Math.min(3, Math.max(1, -Math.floor(Math.log10(resolution))));
}

/** A wall-clock time in local time, the date unless `timeOnly`, and `decimals` of a second. */
function wallTime(seconds: number, decimals: number, timeOnly: boolean): string {
  const date = new Date(seconds * 1000);
  if (decimals === 0) return timeOnly ? date.toLocaleTimeString() : date.toLocaleString();
  return date.toLocaleString(undefined, {
    ...(timeOnly ? {} : { year: "numeric", month: "numeric", day: "numeric" }),
    hour: "numeric",
    minute: "2-digit",
    second: "2-digit",
    fractionalSecondDigits: decimals as 1 | 2 | 3,
  });
}

/**
 * The hover list's heading: "step 12560", "1:02:03" since the start, or the local date
 * and time; a time to the tenth, hundredth or thousandth of a second when a pixel spans
 * less than a second (`resolution`, seconds per pixel).
 */
export function xHeading(x: number, mode: XMode, resolution?: number): string {
  if (mode === "step") return `step ${stepNumber(x)}`;
  const decimals = secondDecimals(resolution);
  if (mode === "relative") return durationLabel(x, 10 ** -decimals);
  return wallTime(x, decimals, false);
}

/** An x value beside a line's value: the heading says what the axis is, so only the number. */
export function xShort(x: number, mode: XMode, heading?: number, resolution?: number): string {
  if (mode === "step") return stepNumber(x);
  const decimals = secondDecimals(resolution);
  if (mode === "relative") return durationLabel(x, 10 ** -decimals);
  const sameDay =
    heading !== undefined &&
    new Date(heading * 1000).toDateString() === new Date(x * 1000).toDateString();
  return wallTime(x, decimals, sameDay);
}

/** Where a line's shown point is, seen from the cursor. */
export type PointPlace = "at" | "near" | "ended" | "before";

/**
 * Where the point a line shows for cursor `x` is: at x, the nearest one (the line has
 * none at x), its last one (the line ended before x) or its first one (it starts after).
 */
export function pointPlace(pointX: number, x: number, line: { xs: readonly number[] }): PointPlace {
  if (pointX === x) return "at";
  const xs = line.xs;
  if (x > pointX && pointX === xs[xs.length - 1]) return "ended";
  if (x < pointX && pointX === xs[0]) return "before";
  return "near";
}

/**
 * The note beside a value that is not at the cursor: "ended at 1999", "from 0:40",
 * "@ 1200"; times as finely as `resolution` (seconds per pixel) calls for.
 */
export function placeNote(
  place: PointPlace,
  pointX: number,
  mode: XMode,
  heading: number,
  live: boolean,
  resolution?: number,
): string {
  const at = xShort(pointX, mode, heading, resolution);
  if (place === "ended") return live ? `last at ${at}` : `ended at ${at}`;
  if (place === "before") return `starts at ${at}`;
  if (place === "near") return `@ ${at}`;
  return "";
}

/** Pixels per row of the list (0.75rem text), and per compact row (set below). */
const ROW_PX = 15;
const COMPACT_ROW_PX = 13;
/** Pixels the list's heading and padding take. */
const FRAME_PX = 30;
/** Pixels a column needs at least: swatch, a short name, value and note. */
const MIN_COLUMN_PX = 170;
/** Rows a narrow chart's list shows below it at least, else it goes over the chart. */
const NARROW_MIN_ROWS = 5;

/**
 * The rows to show of `count` sorted rows when `room` fit: all of them, or a window of
 * `room - 2` around `center` (the two others say how many are left out above and below).
 */
export function tipWindow(count: number, room: number, center: number): [number, number] {
  if (count <= room) return [0, count];
  const size = Math.max(1, room - 2);
  const start = Math.min(Math.max(0, center - Math.floor(size / 2)), count - size);
  return [start, start + size];
}

/** How the list is laid out: its columns, rows per column, and whether rows are compact. */
export interface TipLayout {
  columns: number;
  rows: number;
  compact: boolean;
}

/** Pixels a list of `rows` rows a column takes. */
export function tipHeight(rows: number, compact: boolean): number {
  return FRAME_PX + rows * (compact ? COMPACT_ROW_PX : ROW_PX);
}

/**
 * The first layout that lists all `count` rows within `heightPx`: one column of
 * rows, then of compact rows, then two columns of each, up to `maxColumns`; undefined
 * when none does.
 */
export function tipLayout(
  count: number,
  heightPx: number,
  maxColumns: number,
): TipLayout | undefined {
  for (let columns = 1; columns <= Math.max(1, maxColumns); columns++) {
    const rows = Math.ceil(count / columns);
    for (const compact of [false, true])
      if (tipHeight(rows, compact) <= heightPx) return { columns, rows, compact };
  }
  return undefined;
}

/** The columns a list may take in a chart `widthPx` wide (one at least). */
export function tipColumns(widthPx: number): number {
  return Math.max(1, Math.floor(widthPx / MIN_COLUMN_PX));
}

/**
 * Where the list goes (`top`, in the figure's pixels, and how far down it may reach)
 * and how: all rows under the plot area's top edge, inside the chart (on a phone,
 * `narrow`, a list over half the chart's height goes below it instead, as many rows as
 * fit there, the others counted); else over what is below the chart, down to the
 * window's foot; else moved up as far as the window's top; else (more lines than the
 * window holds) as many as fit, the others counted.
 * Never off the window: a chart scrolled half out has its list where it can be read.
 */
export function tipPlace(
  count: number,
  maxColumns: number,
  edges: { top: number; foot: number; windowTop: number; windowFoot: number; narrow?: boolean },
): { top: number; bottom: number; layout: TipLayout; windowed: boolean } {
  const { windowTop, windowFoot } = edges;
  const top = Math.max(edges.top, windowTop);
  const foot = Math.min(edges.foot, windowFoot);
  // On a phone the chart is hidden under a list that takes its width: a list longer than
  // half its height hangs below it instead, what fits of it at least, so that the lines
  // under the finger stay in sight.
  const narrow = edges.narrow === true;
  const inChart = tipLayout(count, narrow ? (foot - top) / 2 : foot - top, maxColumns);
  if (inChart) return { top, bottom: foot, layout: inChart, windowed: false };
  const under = windowFoot - edges.foot;
  if (narrow && under >= FRAME_PX + NARROW_MIN_ROWS * COMPACT_ROW_PX) {
    const whole = tipLayout(count, under, maxColumns);
    if (whole) return { top: edges.foot, bottom: windowFoot, layout: whole, windowed: false };
    const rows = Math.floor((under - FRAME_PX) / COMPACT_ROW_PX);
    const layout = { columns: Math.max(1, maxColumns), rows, compact: true };
    return { top: edges.foot, bottom: windowFoot, layout, windowed: true };
  }
  const below = tipLayout(count, windowFoot - top, maxColumns);
  if (below) return { top, bottom: windowFoot, layout: below, windowed: false };
  const inWindow = tipLayout(count, windowFoot - windowTop, maxColumns);
  if (inWindow) {
    const height = tipHeight(inWindow.rows, inWindow.compact);
    return { top: windowFoot - height, bottom: windowFoot, layout: inWindow, windowed: false };
  }
  const rows = Math.max(3, Math.floor((windowFoot - windowTop - FRAME_PX) / COMPACT_ROW_PX));
  const layout = { columns: Math.max(1, maxColumns), rows, compact: true };
  return { top: windowTop, bottom: windowFoot, layout, windowed: true };
}

/** What the heading says of faded rows whose notes were left out: " · faded: last value". */
export function fadedNote(places: readonly PointPlace[]): string {
  const ended = places.includes("ended");
  const before = places.includes("before");
  if (!ended && !before) return "";
  return ` · faded: ${ended && before ? "last or first" : ended ? "last" : "first"} value`;
}
