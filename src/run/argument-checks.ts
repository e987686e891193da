/** Checks of `Run` method arguments that are not values to store: set members and query numbers. */

import { InvalidValueError } from "../errors.ts";

export function setArgument(values: unknown, path: string): string[] {
  if (typeof values === "string") return [values];
  if (Array.isArray(values) || values instanceof Set) {
    const members: string[] = [];
    for (const value of values) {
      if (typeof value !== "string") {
        throw new InvalidValueError(
          `String set '${path}' takes strings, got ${typeof value}.`,
          path,
        );
      }
      members.push(value);
    }
    return members;
  }
  throw new InvalidValueError(`String set '${path}' takes a string or an array of strings.`, path);
}

export function checkQueryNumber(value: number | undefined, name: string, min: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidValueError(
      `${name} must be an integer of at least ${min}, got ${String(value)}.`,
    );
  }
}
