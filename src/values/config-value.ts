/**
 * Config values: JavaScript values to the type tags and texts of the run file
 * (FORMAT.md §5.1) and back (§5.2).
 */

import { InvalidValueError } from "../errors.ts";
import { describe } from "./field-path.ts";
import { pythonFloatRepr } from "./float-repr.ts";
import { pythonJsonStringSet } from "./python-json.ts";
import { isoFromDate, parseIsoDate } from "./time.ts";

/** The type tags the run file knows. */
export type TypeTag = "null" | "bool" | "int" | "float" | "str" | "datetime" | "string_set";

/** A value a config can hold, as `run.get` returns it. */
export type ConfigValue = null | boolean | number | bigint | string | Date | Set<string>;

/** One stored config: its tag and its text. */
export interface EncodedConfig {
  readonly tag: TypeTag;
  readonly text: string;
}

/**
 * Whether a number goes into the file as an `int`: integer-valued, not -0, and within
 * ±(2^53 − 1). Beyond that a JavaScript number is no longer an exact integer (1e300
 * is integer-valued), so it is stored as the float it is; exact big integers are
 * `bigint`s.
 */
function isIntegral(value: number): boolean {
  return Number.isSafeInteger(value) && !Object.is(value, -0);
}

/**
 * Encodes one scalar. Plain objects, Maps and arrays are not scalars: callers
 * flatten them first. Throws an {@link InvalidValueError} naming `path` otherwise.
 */
export function encodeConfigValue(value: unknown, path: string): EncodedConfig {
  switch (typeof value) {
    case "boolean":
      return { tag: "bool", text: value ? "true" : "false" };
    case "number":
      if (isIntegral(value)) return { tag: "int", text: String(value) };
      return { tag: "float", text: pythonFloatRepr(value) };
    case "bigint":
      return { tag: "int", text: value.toString() };
    case "string":
      return { tag: "str", text: value };
    case "object":
      if (value === null) return { tag: "null", text: "" };
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) {
          throw new InvalidValueError(`Config '${path}' is an invalid Date.`, path);
        }
        return { tag: "datetime", text: isoFromDate(value) };
      }
      if (value instanceof Set) return { tag: "string_set", text: encodeStringSet(value, path) };
      break;
  }
  throw new InvalidValueError(
    `Config '${path}' cannot hold ${describe(value)}: use a boolean, number, bigint, string, Date, null or Set of strings (plain objects, Maps and arrays are flattened).`,
    path,
  );
}

/** The members of a string set, each converted with `String()`. */
export function stringSetMembers(values: Iterable<unknown>, path: string): string[] {
  const members: string[] = [];
  for (const member of values) {
    const kind = typeof member;
    if (kind === "string") members.push(member as string);
    else if (kind === "number" || kind === "bigint" || kind === "boolean")
      members.push(String(member));
    else {
      throw new InvalidValueError(
        `String set '${path}' cannot hold ${describe(member)}: its members must be strings.`,
        path,
      );
    }
  }
  return members;
}

function encodeStringSet(values: Set<unknown>, path: string): string {
  return pythonJsonStringSet(stringSetMembers(values, path));
}

/** Parses a `string_set` text; readers accept any JSON array of strings. */
export function parseStringSet(text: string): Set<string> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return new Set(parsed.map((member) => String(member)));
  } catch {
    // fall through: not JSON
  }
  return new Set();
}

const INT_PATTERN = /^\s*[+-]?\d+\s*$/;

function parseInt53OrBig(text: string): number | bigint | string {
  if (!INT_PATTERN.test(text)) return text;
  const big = BigInt(text.trim());
  const asNumber = Number(big);
  return Number.isSafeInteger(asNumber) ? asNumber : big;
}

function parsePythonFloat(text: string): number {
  const lowered = text.trim().toLowerCase();
  if (lowered === "nan" || lowered === "-nan" || lowered === "+nan") return Number.NaN;
  if (lowered === "inf" || lowered === "+inf" || lowered === "infinity")
    return Number.POSITIVE_INFINITY;
  if (lowered === "-inf" || lowered === "-infinity") return Number.NEGATIVE_INFINITY;
  return Number(lowered);
}

/**
 * Reads a stored config back: integers beyond 2^53 as `bigint`, `datetime` as a
 * `Date` (naive values read as UTC), `string_set` as a `Set`, unknown tags as text.
 */
export function decodeConfigValue(tag: string, text: string | null): ConfigValue {
  if (tag === "null" || text === null) return null;
  switch (tag) {
    case "bool":
      return text.toLowerCase() === "true";
    case "int":
      return parseInt53OrBig(text);
    case "float":
      return parsePythonFloat(text);
    case "datetime":
      return parseIsoDate(text) ?? text;
    case "string_set":
      return parseStringSet(text);
    default:
      return text;
  }
}
