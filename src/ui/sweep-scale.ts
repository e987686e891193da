/**
 * An axis of the sweep scatter, linear or log as asked, and what a log scale costs:
 * text and true/false values never get one (it is not offered), and runs whose value is
 * 0 or below are left out and counted, so that the plot can say so. Pure.
 */

import { asNumber } from "./run-filter.ts";
import { type Axis, axisFor } from "./sweep-axes.ts";

export interface ScatterScale {
  /** The axis drawn; `undefined` when a log scale was asked for and no value is above 0. */
  readonly axis: Axis | undefined;
  /** Whether the axis drawn is a log one. */
  readonly log: boolean;
  /**
   * Whether a log scale can be offered: the values are numbers (not text or
   * true/false), or not known yet.
   */
  readonly logOffered: boolean;
  /** For each value, whether a log scale left it out (a number of 0 or below). */
  readonly leftOut: readonly boolean[];
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === "boolean") return undefined;
  const number = asNumber(value);
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

/**
 * The scatter's axis for `values` (one per run; `undefined` where a run has none),
 * log when `log` is asked for and the values are numbers.
 *
 * @example scatterScale("seed", [0, 1, 2], true) // log over 1…2, leftOut [true, false, false]
 */
export function scatterScale(key: string, values: readonly unknown[], log: boolean): ScatterScale {
  const linear = axisFor(key, values, false);
  // No value yet (summaries still loading): nothing says log does not fit.
  const known = values.some((value) => value !== undefined && value !== null);
  const logOffered = !known || linear.kind !== "category";
  const none = values.map(() => false);
  if (!log || !known || linear.kind === "category")
    return { axis: linear, log: false, logOffered, leftOut: none };
  const leftOut = values.map((value) => {
    const number = numberOf(value);
    return number !== undefined && number <= 0;
  });
  const positive = values.filter((value) => (numberOf(value) ?? 0) > 0);
  if (positive.length === 0) return { axis: undefined, log: true, logOffered, leftOut };
  const axis = axisFor(key, positive, false);
  if (axis.kind === "category") return { axis, log: false, logOffered, leftOut: none };
  return { axis: { ...axis, kind: "log" }, log: true, logOffered, leftOut };
}

/** What the scatter says under a log axis that left runs out, or had nothing to draw. */
export function leftOutNote(
  scales: readonly { readonly name: string; readonly key: string; readonly scale: ScatterScale }[],
  runs: number,
): string {
  const empty = scales.find(({ scale }) => scale.axis === undefined);
  if (empty)
    return `A log scale needs positive numbers: no run has ${empty.key} above 0. Turn ${empty.name} off to see them.`;
  let count = 0;
  for (let index = 0; index < runs; index++)
    if (scales.some(({ scale }) => scale.leftOut[index] === true)) count++;
  if (count === 0) return "";
  const which = scales
    .filter(({ scale }) => scale.leftOut.some(Boolean))
    .map(({ key }) => key)
    .join(" or ");
  return `${count} of ${runs} runs left out: a log scale needs positive numbers, and their ${which} is 0 or below.`;
}
