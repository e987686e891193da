/**
 * Runs folded into groups by one config value (seeds of the same setting average out):
 * the groups the table draws with their counts and the charts draw as one mean line
 * with a min–max band each. Pure.
 */

import { compareCells } from "./run-filter.ts";

export interface RunGroup<R> {
  /** The group's value as text: what tells groups apart (and keys their fold state). */
  readonly key: string;
  /** `key = value`, or `key not set`. */
  readonly label: string;
  readonly runs: R[];
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** Groups `runs` by `valueFor(run)`, keeping their order inside each group; groups sorted by value. */
export function groupRuns<R>(
  runs: readonly R[],
  key: string,
  valueFor: (run: R) => unknown,
): RunGroup<R>[] {
  const groups = new Map<string, { value: unknown; runs: R[] }>();
  for (const run of runs) {
    const value = valueFor(run);
    const id = text(value);
    let group = groups.get(id);
    if (!group) {
      group = { value, runs: [] };
      groups.set(id, group);
    }
    group.runs.push(run);
  }
  return [...groups]
    .sort(([, a], [, b]) => compareCells(a.value, b.value, 1))
    .map(([id, group]) => ({
      key: id,
      label: id === "" ? `${key} not set` : `${key} = ${id}`,
      runs: group.runs,
    }));
}
