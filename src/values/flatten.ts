/**
 * Flattening of nested configs into `/`-joined paths (FORMAT.md §5.3), extended to
 * JavaScript's containers: plain objects, Maps and arrays flatten; Sets, Dates and
 * scalars are leaves. Every leaf is encoded here, so a bad value anywhere throws
 * before anything is written.
 */

import { InvalidValueError } from "../errors.ts";
import { type EncodedConfig, encodeConfigValue } from "./config-value.ts";
import { normalizePath } from "./field-path.ts";

/** An encoded config ready to be written. */
export interface ConfigEntry extends EncodedConfig {
  readonly path: string;
}

/** A container that flattens into one key per member. */
export function isFlattenable(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value) || value instanceof Map) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function entriesOf(value: object, path: string): Iterable<[string, unknown]> {
  if (Array.isArray(value)) return value.map((member, index) => [String(index), member]);
  if (value instanceof Map) {
    const entries: [string, unknown][] = [];
    for (const [key, member] of value) {
      if (typeof key !== "string" && typeof key !== "number") {
        throw new InvalidValueError(
          `Map keys under '${path}' must be strings or numbers to become paths.`,
          path,
        );
      }
      entries.push([String(key), member]);
    }
    return entries;
  }
  return Object.entries(value);
}

/** Appends the flattened, encoded leaves of `value` under `path` to `out`. */
export function flattenInto(
  value: unknown,
  path: string,
  out: ConfigEntry[],
  seen: object[] = [],
): void {
  if (!isFlattenable(value)) {
    const normalized = normalizePath(path);
    out.push({ path: normalized, ...encodeConfigValue(value, normalized) });
    return;
  }
  const container = value as object;
  if (seen.includes(container)) {
    throw new InvalidValueError(`Config '${path}' contains itself (a circular reference).`, path);
  }
  seen.push(container);
  for (const [key, member] of entriesOf(container, path)) {
    flattenInto(member, `${path}/${key}`, out, seen);
  }
  seen.pop();
}

/** JSON text for a container stored unflattened (`flatten: false`): portable, unlike Python's repr. */
export function containerJson(value: unknown, path: string): string {
  const seen: unknown[] = [];
  const replacer = function (this: unknown, _key: string, member: unknown): unknown {
    if (typeof member === "bigint") return member.toString();
    if (typeof member === "number" && !Number.isFinite(member)) return String(member);
    if (member instanceof Map) return Object.fromEntries(member);
    if (member instanceof Set) return [...member];
    if (typeof member === "object" && member !== null) {
      if (seen.includes(member)) {
        throw new InvalidValueError(
          `Config '${path}' contains itself (a circular reference).`,
          path,
        );
      }
      seen.push(member);
    }
    return member;
  };
  return JSON.stringify(value, replacer) ?? "null";
}

/**
 * Encodes `logConfigs(data, { flatten })`: with `flatten` (the default) each
 * container value flattens under its key; without, a container is stored as JSON
 * text with tag `str`.
 */
export function encodeConfigs(data: unknown, flatten: boolean): ConfigEntry[] {
  if (!isFlattenable(data) || Array.isArray(data)) {
    throw new InvalidValueError(
      "logConfigs takes a plain object or a Map of path to value, e.g. { lr: 0.001 }.",
    );
  }
  const out: ConfigEntry[] = [];
  for (const [key, value] of entriesOf(data as object, "")) {
    if (flatten) {
      flattenInto(value, key, out);
    } else {
      const path = normalizePath(key);
      if (isFlattenable(value)) out.push({ path, tag: "str", text: containerJson(value, path) });
      else out.push({ path, ...encodeConfigValue(value, path) });
    }
  }
  return out;
}
