/** Checks of `Run` method arguments that are not values to store: set members and query numbers. */

import { InvalidValueError } from "../errors.ts";
import type { MetricQuery, StringQuery } from "../storage/run-reader.ts";
import { checkWellFormed, describe } from "../values/field-path.ts";

export function setArgument(values: unknown, path: string): string[] {
  if (typeof values === "string") {
    checkWellFormed(values, path);
    return [values];
  }
  if (Array.isArray(values) || values instanceof Set) {
    const members: string[] = [];
    for (const value of values) {
      if (typeof value !== "string") {
        throw new InvalidValueError(
          `String set '${path}' takes strings, got ${typeof value}.`,
          path,
        );
      }
      checkWellFormed(value, path);
      members.push(value);
    }
    return members;
  }
  throw new InvalidValueError(`String set '${path}' takes a string or an array of strings.`, path);
}

function checkQueryNumber(value: number | undefined, name: string, min: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidValueError(
      `${name} must be an integer of at least ${min}, got ${String(value)}.`,
    );
  }
}

/** A step bound of a metric query: a number (infinities allowed), never NaN. */
function checkStepBound(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new InvalidValueError(
      `${name} must be a number (a step), got ${typeof value === "number" ? "NaN" : describe(value)}.`,
    );
  }
}

/** The numbers of a `getMetricData` query. */
export function checkMetricQuery(query: MetricQuery): void {
  checkQueryNumber(query.maxPoints, "maxPoints", 1);
  checkStepBound(query.stepMin, "stepMin");
  checkStepBound(query.stepMax, "stepMax");
}

/** The numbers of a `getStringData` query. */
export function checkStringQuery(query: StringQuery): void {
  checkQueryNumber(query.limit, "limit", 0);
  checkQueryNumber(query.offset, "offset", 0);
}
