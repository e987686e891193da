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
  let increasing = true;
  for (let i = 1; i < steps.length; i++)
    if (!((steps[i] as number) > (steps[i - 1] as number))) {
      increasing = false;
      break;
    }
  // The usual batch: steps already in order, none repeated.
  if (increasing)
    return {
      steps: Float64Array.from(steps),
      ys: Float64Array.from(ys),
      tsMs: Float64Array.from(tsMs),
      length: steps.length,
    };
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
  const { steps: os, ys: oy, tsMs: ot } = older;
  const { steps: ns, ys: ny, tsMs: nt } = newer;
  const ol = older.length;
  const nl = newer.length;
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < ol && j < nl) {
    const a = os[i] as number;
    const b = ns[j] as number;
    if (a < b || (a === b && (ot[i] as number) > (nt[j] as number))) {
      steps[n] = a;
      ys[n] = oy[i] as number;
      tsMs[n] = ot[i] as number;
    } else {
      steps[n] = b;
      ys[n] = ny[j] as number;
      tsMs[n] = nt[j] as number;
    }
    if (a <= b) i++;
    if (b <= a) j++;
    n++;
  }
  for (const [from, k, length] of [
    [older, i, ol],
    [newer, j, nl],
  ] as const) {
    steps.set(from.steps.subarray(k, length), n);
    ys.set(from.ys.subarray(k, length), n);
    tsMs.set(from.tsMs.subarray(k, length), n);
    n += length - k;
  }
  return {
    steps: steps.subarray(0, n),
    ys: ys.subarray(0, n),
    tsMs: tsMs.subarray(0, n),
    length: n,
  };
}

/** Chunks in arrival order as one: each stretch of chunks that follow one another joined with one copy, the stretches overlaid in order. */
function foldNewer(newer: readonly Columns[]): Columns {
  let result = EMPTY;
  let stretch: Columns[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const chunk of newer) {
    if (chunk.length === 0) continue;
    if (stretch.length > 0 && (chunk.steps[0] as number) <= last) {
      result = overlay(result, concatDisjoint(stretch));
      stretch = [];
    }
    stretch.push(chunk);
    last = chunk.steps[chunk.length - 1] as number;
  }
  return stretch.length > 0 ? overlay(result, concatDisjoint(stretch)) : result;
}

/**
 * A series from its stored chunks: `base` chunks (compacted: disjoint, all older than
 * the others) and `newer` chunks in arrival order.
 */
export function mergeSeries(base: readonly Columns[], newer: readonly Columns[]): Columns {
  // The usual shape, a live run's: disjoint base chunks, then each newer chunk after
  // every step before it. One copy joins them (overlaying one by one copies the whole
  // series per chunk).
  if (disjoint(base)) {
    let last = Number.NEGATIVE_INFINITY;
    for (const run of base)
      if (run.length > 0) last = Math.max(last, run.steps[run.length - 1] as number);
    let appends = true;
    for (const chunk of newer) {
      if (chunk.length === 0) continue;
      if ((chunk.steps[0] as number) <= last) {
        appends = false;
        break;
      }
      last = chunk.steps[chunk.length - 1] as number;
    }
    if (appends) {
      const all = [...base, ...newer].filter((run) => run.length > 0);
      return all.length === 0 ? EMPTY : concatDisjoint(all);
    }
  }
  const merged = disjoint(base)
    ? concatDisjoint(base)
    : newer.length === 0 && base.length === 0
      ? EMPTY
      : base.reduce(overlay, EMPTY);
  // The newer chunks among themselves first (the point of a step that wins is the one
  // with the latest timestamp, then the latest arrival, in whatever order they are
  // combined), then over the base once.
  return overlay(merged, foldNewer(newer));
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
