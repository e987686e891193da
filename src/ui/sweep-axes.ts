/**
 * The axes of the sweep views: one per config that varies across the runs, plus a
 * metric summary. Numbers get a linear axis, or a log one when they are positive and
 * span two decades or more; anything else is a category axis. An axis range that a
 * drag selected is kept in the axis's own units (values, or category positions), so
 * the table filters with the same axes the view draws. Pure.
 */

import { asNumber, compareCells } from "./run-filter.ts";
import { logTickLabel, logTickValues } from "./sweep-ticks.ts";

/** A range dragged on an axis, in the axis's units (values, or category positions). */
export interface AxisRange {
  /** Config key, or a column id for the metric axis. */
  readonly key: string;
  readonly low: number;
  readonly high: number;
}

export type Axis =
  | {
      readonly key: string;
      readonly kind: "linear" | "log";
      readonly min: number;
      readonly max: number;
      /** The values runs have, ascending, when there are few (a sweep's grid): its ticks. */
      readonly values?: readonly number[];
    }
  | { readonly key: string; readonly kind: "category"; readonly categories: readonly string[] };

/** Config keys that never make a sweep axis: the run's identity and timing, and per-process detail. */
export function isSweepKey(key: string): boolean {
  return (
    !key.startsWith("sys/") && !key.startsWith("monitoring/") && !key.startsWith("source_code/")
  );
}

function categoryOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** Up to this many distinct values, an axis is ticked at its values. */
const FEW_VALUES = 12;

/** The axis for `values` (one per run; `undefined` where a run has none). */
export function axisFor(key: string, values: readonly unknown[], allowLog = true): Axis {
  const numbers: number[] = [];
  let allNumbers = true;
  for (const value of values) {
    if (value === undefined || value === null) continue;
    const number = typeof value === "boolean" ? undefined : asNumber(value);
    if (number === undefined || !Number.isFinite(number)) allNumbers = false;
    else numbers.push(number);
  }
  if (allNumbers && numbers.length > 0) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const number of numbers) {
      if (number < min) min = number;
      if (number > max) max = number;
    }
    const log = allowLog && min > 0 && max / min >= 100;
    const distinct = [...new Set(numbers)].sort((a, b) => a - b);
    return {
      key,
      kind: log ? "log" : "linear",
      min,
      max,
      ...(distinct.length <= FEW_VALUES ? { values: distinct } : {}),
    };
  }
  const categories = [...new Set(values.map(categoryOf))].sort((a, b) =>
    compareCells(a === "" ? undefined : a, b === "" ? undefined : b, 1),
  );
  return { key, kind: "category", categories };
}

/** Where `value` sits on `axis`, 0 (bottom) to 1 (top); `undefined` when it has none. */
export function axisPosition(axis: Axis, value: unknown): number | undefined {
  if (axis.kind === "category") {
    const index = axis.categories.indexOf(categoryOf(value));
    if (index < 0) return undefined;
    return axis.categories.length === 1 ? 0.5 : index / (axis.categories.length - 1);
  }
  const number = typeof value === "boolean" ? undefined : asNumber(value);
  if (number === undefined || !Number.isFinite(number)) return undefined;
  if (axis.max === axis.min) return 0.5;
  if (axis.kind === "log") {
    if (number <= 0) return undefined;
    return (
      (Math.log10(number) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min))
    );
  }
  return (number - axis.min) / (axis.max - axis.min);
}

/** The axis units of a position (the inverse of {@link axisPosition}): a value, or a category index. */
export function axisUnits(axis: Axis, position: number): number {
  const p = Math.min(1, Math.max(0, position));
  if (axis.kind === "category") return p * Math.max(0, axis.categories.length - 1);
  if (axis.kind === "log")
    return 10 ** (Math.log10(axis.min) + p * (Math.log10(axis.max) - Math.log10(axis.min)));
  return axis.min + p * (axis.max - axis.min);
}

/** Whether `value` lies inside `range` on `axis`. */
export function inRange(axis: Axis, value: unknown, range: AxisRange): boolean {
  if (axis.kind === "category") {
    const index = axis.categories.indexOf(categoryOf(value));
    return index >= 0 && index >= range.low - 1e-9 && index <= range.high + 1e-9;
  }
  const number = typeof value === "boolean" ? undefined : asNumber(value);
  if (number === undefined || Number.isNaN(number)) return false;
  const span = Math.abs(range.high - range.low) * 1e-9;
  return number >= range.low - span && number <= range.high + span;
}

/** A number short: plain from 0.001 to 10000, else with an exponent. */
function shortNumber(value: number): string {
  return Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0)
    ? value.toExponential(1)
    : String(Number(value.toPrecision(3)));
}

/**
 * The few values of a numeric axis that fit as ticks (ascending): at most `maxCount`,
 * none closer than a label's height to the one before it, the ends always kept.
 */
function valueTicks(axis: Axis, values: readonly number[], maxCount: number): number[] {
  const gap = 0.9 / Math.max(1, maxCount);
  const kept: number[] = [];
  for (const value of values) {
    const position = axisPosition(axis, value) ?? 0;
    const last = kept[kept.length - 1];
    if (last === undefined || position - (axisPosition(axis, last) ?? 0) >= gap) kept.push(value);
    else if (value === values[values.length - 1] && kept.length > 1) kept[kept.length - 1] = value;
  }
  return kept;
}

/** Round values (steps of 1, 2 or 5 times a power of ten) inside a linear axis, with its ends. */
function roundTicks(min: number, max: number, maxCount: number): number[] {
  const rough = (max - min) / Math.max(1, Math.min(4, maxCount - 1));
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough * 0.75) ?? 10) * power;
  const inside: number[] = [];
  for (let value = Math.ceil(min / step) * step; value < max; value += step) {
    const tidy = Number(value.toPrecision(12));
    // Not so near an end that the two labels overlap.
    if (tidy - min >= step / 2 && max - tidy >= step / 2) inside.push(tidy);
  }
  return [min, ...inside, max];
}

/**
 * Tick labels of an axis, at most about `maxCount`: its categories (every k-th when
 * there are more), the values runs have when they are few (a sweep's 64, 128, 256, 512,
 * never a 288 between them), powers of ten on a log axis, or the ends and round values
 * between them on a linear one.
 */
export function axisTicks(axis: Axis, maxCount = 12): { position: number; label: string }[] {
  if (axis.kind === "category") {
    const count = axis.categories.length;
    const every = Math.max(1, Math.ceil(count / Math.max(1, maxCount)));
    return axis.categories.flatMap((label, index) =>
      index % every === 0
        ? [
            {
              position: count === 1 ? 0.5 : index / (count - 1),
              label: label === "" ? "(none)" : label,
            },
          ]
        : [],
    );
  }
  const log = axis.kind === "log" && axis.min > 0;
  const label = log ? logTickLabel : shortNumber;
  if (axis.min === axis.max) return [{ position: 0.5, label: label(axis.min) }];
  const values =
    axis.values && axis.values.length <= maxCount
      ? valueTicks(axis, axis.values, maxCount)
      : log
        ? logTickValues(axis.min, axis.max, maxCount)
        : roundTicks(axis.min, axis.max, maxCount);
  return values.map((value) => ({
    position: axisPosition(axis, value) ?? 0.5,
    label: label(value),
  }));
}
