/**
 * How points of one metric series combine: within one request the last point of a
 * step wins; across requests the point with the later timestamp wins, and on equal
 * timestamps the later arrival. Every function here is pure.
 */

import type { Columns } from "./chunk-codec.ts";

export const EMPTY: Columns = {
  steps: new Float64Array(0),
  ys: new Float64Array(0),
  tsMs: new Float64Array(0),
  length: 0,
};

/** One request's points of a series, sorted by step, the last of a repeated step kept. */
export function batchColumns(steps: number[], ys: number[], tsMs: number[]): Columns {
  const order = steps.map((_, i) => i);
  order.sort((a, b) => (steps[a] as number) - (steps[b] as number) || a - b);
  const keep: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    const next = order[k + 1];
    if (next !== undefined && steps[next] === steps[i]) continue;
    keep.push(i);
  }
  const out = {
    steps: new Float64Array(keep.length),
    ys: new Float64Array(keep.length),
    tsMs: new Float64Array(keep.length),
    length: keep.length,
  };
  keep.forEach((i, k) => {
    out.steps[k] = steps[i] as number;
    out.ys[k] = ys[i] as number;
    out.tsMs[k] = tsMs[i] as number;
  });
  return out;
}

/** Sorted runs with disjoint step ranges, joined in step order. */
export function concatDisjoint(runs: readonly Columns[]): Columns {
  const sorted = runs
    .filter((run) => run.length > 0)
    .sort((a, b) => (a.steps[0] as number) - (b.steps[0] as number));
  if (sorted.length === 1) return sorted[0] as Columns;
  const length = sorted.reduce((sum, run) => sum + run.length, 0);
  const out = {
    steps: new Float64Array(length),
    ys: new Float64Array(length),
    tsMs: new Float64Array(length),
    length,
  };
  let at = 0;
  for (const run of sorted) {
    out.steps.set(run.steps.subarray(0, run.length), at);
    out.ys.set(run.ys.subarray(0, run.length), at);
    out.tsMs.set(run.tsMs.subarray(0, run.length), at);
    at += run.length;
  }
  return out;
}

/** Whether sorted runs, ordered by their first step, do not overlap. */
export function disjoint(runs: readonly Columns[]): boolean {
  const sorted = runs
    .filter((run) => run.length > 0)
    .sort((a, b) => (a.steps[0] as number) - (b.steps[0] as number));
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1] as Columns;
    if ((before.steps[before.length - 1] as number) >= ((sorted[i] as Columns).steps[0] as number))
      return false;
  }
  return true;
}

/** `older` and `newer` (each sorted, one point a step) as one series. */
export function overlay(older: Columns, newer: Columns): Columns {
  if (older.length === 0) return newer;
  if (newer.length === 0) return older;
  // The common case of a live run: the new points all come after the old ones.
  if ((newer.steps[0] as number) > (older.steps[older.length - 1] as number))
    return concatDisjoint([older, newer]);
  const capacity = older.length + newer.length;
  const steps = new Float64Array(capacity);
  const ys = new Float64Array(capacity);
  const tsMs = new Float64Array(capacity);
  let i = 0;
  let j = 0;
  let n = 0;
  const take = (from: Columns, k: number) => {
    steps[n] = from.steps[k] as number;
    ys[n] = from.ys[k] as number;
    tsMs[n] = from.tsMs[k] as number;
    n++;
  };
  while (i < older.length || j < newer.length) {
    if (j >= newer.length) take(older, i++);
    else if (i >= older.length) take(newer, j++);
    else {
      const a = older.steps[i] as number;
      const b = newer.steps[j] as number;
      if (a < b) take(older, i++);
      else if (b < a) take(newer, j++);
      else {
        if ((older.tsMs[i] as number) > (newer.tsMs[j] as number)) take(older, i);
        else take(newer, j);
        i++;
        j++;
      }
    }
  }
  return {
    steps: steps.subarray(0, n),
    ys: ys.subarray(0, n),
    tsMs: tsMs.subarray(0, n),
    length: n,
  };
}

/**
 * A series from its stored chunks: `base` chunks (compacted: disjoint, all older than
 * the others) and `newer` chunks in arrival order.
 */
export function mergeSeries(base: readonly Columns[], newer: readonly Columns[]): Columns {
  let merged = disjoint(base)
    ? concatDisjoint(base)
    : newer.length === 0 && base.length === 0
      ? EMPTY
      : base.reduce(overlay, EMPTY);
  for (const chunk of newer) merged = overlay(merged, chunk);
  return merged;
}

/** Consecutive slices of at most `size` points. */
export function split(columns: Columns, size: number): Columns[] {
  const parts: Columns[] = [];
  for (let start = 0; start < columns.length; start += size) {
    const end = Math.min(columns.length, start + size);
    parts.push({
      steps: columns.steps.slice(start, end),
      ys: columns.ys.slice(start, end),
      tsMs: columns.tsMs.slice(start, end),
      length: end - start,
    });
  }
  return parts;
}
