/**
 * The rules that configs written through `Run` keep beyond their values: `sys/tags`
 * is a set of strings, `sys/name` a valid name (and the run's display name), and a
 * string set changes member by member (`run.add`, `run.remove`).
 */

import { InvalidValueError } from "../errors.ts";
import { normalizePath } from "../values/field-path.ts";
import type { ConfigEntry } from "../values/flatten.ts";
import { pythonJsonStringSet } from "../values/python-json.ts";
import { setArgument } from "./argument-checks.ts";
import type { RunWriter } from "./run-writer.ts";
import { validateName } from "./validate-name.ts";

/** Queues `entries` once they keep the rules of `sys/`; returns the run's new name if they rename it. */
export function writeConfigs(writer: RunWriter, entries: ConfigEntry[]): string | undefined {
  if (entries.some((entry) => entry.path === "sys/tags" && entry.tag !== "string_set")) {
    throw new InvalidValueError(
      "sys/tags is a set of strings: add tags with run.add('sys/tags', …), remove them with run.remove('sys/tags', …), or set a Set of strings.",
      "sys/tags",
    );
  }
  const rename = entries.findLast((entry) => entry.path === "sys/name");
  if (rename !== undefined) {
    if (rename.tag !== "str") {
      throw new InvalidValueError("sys/name must be a string.", "sys/name");
    }
    validateName(rename.text);
  }
  writer.configs(entries);
  if (rename === undefined) return undefined;
  writer.meta("name", rename.text);
  return rename.text;
}

/**
 * The config that adds `values` to (or removes them from) the string set at `path`:
 * none when removing from a set that does not exist.
 */
export function stringSetChange(
  writer: RunWriter,
  path: string,
  values: string | readonly string[],
  verb: "add" | "remove",
): ConfigEntry[] {
  const normalized = normalizePath(path);
  const members = setArgument(values, normalized);
  let current = currentSet(writer, normalized, verb);
  if (current === undefined) {
    if (verb === "remove") return [];
    current = new Set<string>();
  }
  for (const member of members) {
    if (verb === "add") current.add(member);
    else current.delete(member);
  }
  return [{ path: normalized, tag: "string_set", text: pythonJsonStringSet(current) }];
}

function currentSet(writer: RunWriter, path: string, verb: string): Set<string> | undefined {
  const tag = writer.configTag(path);
  if (tag === undefined) return undefined;
  if (tag !== "string_set") {
    throw new InvalidValueError(
      `Cannot ${verb} string-set values at '${path}': it holds a config of type '${tag}'.`,
      path,
    );
  }
  return new Set(writer.stringSet(path));
}
