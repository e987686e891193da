/**
 * A config row as the HTTP API returns it (FORMAT.md §5.2, with the fix of §15.1):
 * integers exact at any size, floats as numbers (non-finite ones as strings), a
 * string set as a JSON array of its strings, a datetime as its stored ISO text.
 */

import type { StoredConfigValue } from "../api/read-store.ts";
import { decodeConfigValue } from "../values/config-value.ts";

export function decodeConfigForApi(tag: string, text: string | null): StoredConfigValue {
  if (tag === "datetime" && text !== null) return text;
  const value = decodeConfigValue(tag, text);
  if (value instanceof Set) return [...value];
  return value instanceof Date ? value.toISOString() : value;
}
