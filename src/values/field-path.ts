/** Field paths: how a user's path string becomes the stored one. */

import { InvalidValueError } from "../errors.ts";

/**
 * Strips leading and trailing `/` (as the Python client does) and rejects what
 * cannot be a path. Nothing else is normalised: `a//b` stays.
 */
export function normalizePath(path: unknown): string {
  if (typeof path !== "string") {
    throw new InvalidValueError(
      `A path must be a string, got ${describe(path)}. Use a string such as "train/loss".`,
    );
  }
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 0x2f) start++;
  while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
  if (start === end) {
    throw new InvalidValueError(
      `The path ${JSON.stringify(path)} is empty once its slashes are stripped. Use a name such as "train/loss".`,
      path,
    );
  }
  return start === 0 && end === path.length ? path : path.slice(start, end);
}

/** A short description of a value's kind for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Map) return "a Map";
  if (value instanceof Set) return "a Set";
  if (value instanceof Date) return "a Date";
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "Object" ? `a ${name}` : "an object";
  }
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}
