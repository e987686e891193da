/**
 * The words of a chart's hover list: the cursor's x as the axis measures it (a step of
 * a downsampled bucket rounded to the steps it stands for, never "step 1234.5"), and
 * what each line's value is when the line has no point there (ended, not started yet,
 * or its nearest point). Pure, so it is tested alone.
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
 * downsampled bucket of `counts[i]` points (undefined: a logged point, exact).
 */
export function bucketSpacing(
  line: { xs: readonly number[]; counts: readonly number[] },
  i: number,
): number | undefined {
  const count = line.counts[i] ?? 1;
  if (count <= 1) return undefined;
  const xs = line.xs;
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

/** The hover list's heading: "step 12560", "1:02:03" since the start, or the local date and time. */
export function xHeading(x: number, mode: XMode): string {
  if (mode === "step") return `step ${stepNumber(x)}`;
  if (mode === "relative") return durationLabel(x, 1);
  return new Date(x * 1000).toLocaleString();
}

/** An x value beside a line's value: the heading says what the axis is, so only the number. */
export function xShort(x: number, mode: XMode, heading?: number): string {
  if (mode === "step") return stepNumber(x);
  if (mode === "relative") return durationLabel(x, 1);
  const date = new Date(x * 1000);
  const sameDay =
    heading !== undefined && new Date(heading * 1000).toDateString() === date.toDateString();
  return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
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

/** The note beside a value that is not at the cursor: "ended at 1999", "from 0:40", "@ 1200". */
export function placeNote(
  place: PointPlace,
  pointX: number,
  mode: XMode,
  heading: number,
  live: boolean,
): string {
  const at = xShort(pointX, mode, heading);
  if (place === "ended") return live ? `last at ${at}` : `ended at ${at}`;
  if (place === "before") return `starts at ${at}`;
  if (place === "near") return `@ ${at}`;
  return "";
}
