/**
 * `/api/series/packed`: the answer of `/api/series/columns` with its numbers as
 * float64 instead of JSON text. Writing a board's first view as text was most of the
 * server's time for it (half a million numbers formatted, then gzipped) and parsing it
 * a good part of the page's; packed, the numbers are copied.
 *
 * The body, all little-endian:
 * - a uint32 `n`, then `n` bytes of UTF-8 JSON `{"series": [entry, …]}`: each entry
 *   is that of `/api/series/columns` without its arrays and with `length`, its number
 *   of points (a missing run's entry is the same `{project, run_id, path, error}`);
 * - zero bytes up to a multiple of 8 from the start;
 * - for each entry with points, in order, float64 columns: `length` steps, `length`
 *   values, `length` loggedAt, then minY and maxY of the buckets alone
 *   (`bucketed[1] - bucketed[0]` each): the raw points' minY and maxY are their value;
 *   then, where the head says `"nonFinite": k`, the steps, values and loggedAt of the
 *   `k` NaN and ±Infinity points the buckets leave out. NaN and ±Infinity are the IEEE
 *   values.
 *
 * Pure, for the server (which packs) and the page (which unpacks).
 */

import type { NonFinitePoints, SeriesColumnsEntry, SeriesKey } from "./batch-wire.ts";

/** The numbers of one packed series (`mins`, `maxs`: of its buckets alone). */
export interface PackedColumns {
  readonly steps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly times: ArrayLike<number>;
  readonly mins: ArrayLike<number>;
  readonly maxs: ArrayLike<number>;
  /** The non-finite points the buckets leave out (none when not downsampled). */
  readonly nonFinite?: NonFinitePoints | undefined;
}

/** What an entry says besides its numbers. */
export interface PackedHead {
  readonly firstPointIndex: number;
  readonly lastPointIndex: number;
  readonly totalCount: number;
  readonly downsampled: boolean;
  readonly bucketed: readonly [number, number];
  readonly length: number;
  /** How many non-finite points follow the buckets' figures (absent: none). */
  readonly nonFinite?: number | undefined;
}

/** One series of a packed answer: its head written as JSON members (no braces), its numbers. */
export interface PackedEntry {
  readonly key: SeriesKey;
  /** `"firstPointIndex": …, "length": n` or `"error": "…"`. */
  readonly members: string;
  /** The float64 columns in order, or none (a missing run). */
  readonly numbers?: Float64Array | undefined;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The head's members, as an entry of the packed JSON writes them. */
export function headMembers(head: PackedHead): string {
  const members = `"firstPointIndex": ${head.firstPointIndex}, "lastPointIndex": ${head.lastPointIndex}, "totalCount": ${head.totalCount}, "downsampled": ${head.downsampled}, "bucketed": [${head.bucketed[0]}, ${head.bucketed[1]}], "length": ${head.length}`;
  return head.nonFinite ? `${members}, "nonFinite": ${head.nonFinite}` : members;
}

/** The columns of one series as one array, in the packed order. */
export function packColumns(columns: PackedColumns): Float64Array {
  const n = columns.steps.length;
  const buckets = columns.mins.length;
  const hidden = columns.nonFinite?.step.length ?? 0;
  const out = new Float64Array(3 * n + 2 * buckets + 3 * hidden);
  out.set(columns.steps, 0);
  out.set(columns.values, n);
  out.set(columns.times, 2 * n);
  out.set(columns.mins, 3 * n);
  out.set(columns.maxs, 3 * n + buckets);
  if (columns.nonFinite) {
    const at = 3 * n + 2 * buckets;
    out.set(columns.nonFinite.step, at);
    out.set(columns.nonFinite.value, at + hidden);
    out.set(columns.nonFinite.loggedAt, at + 2 * hidden);
  }
  return out;
}

/** The body of a packed answer. */
export function packSeries(entries: readonly PackedEntry[]): Uint8Array {
  const json = `{"series": [${entries
    .map(
      ({ key, members }) =>
        `{"project": ${JSON.stringify(key.project)}, "run_id": ${JSON.stringify(key.run_id)}, "path": ${JSON.stringify(key.path)}, ${members}}`,
    )
    .join(", ")}]}`;
  const head = new TextEncoder().encode(json);
  const start = Math.ceil((4 + head.length) / 8) * 8;
  let numbers = 0;
  for (const entry of entries) numbers += entry.numbers?.length ?? 0;
  const body = new Uint8Array(start + 8 * numbers);
  const view = new DataView(body.buffer);
  view.setUint32(0, head.length, true);
  body.set(head, 4);
  let at = start;
  for (const entry of entries) {
    const column = entry.numbers;
    if (!column) continue;
    if (littleEndian)
      body.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
    else
      for (let i = 0; i < column.length; i++)
        view.setFloat64(at + 8 * i, column[i] as number, true);
    at += column.byteLength;
  }
  return body;
}

/** A packed answer's entries, each as `/api/series/columns` has it. */
export function unpackSeries(body: ArrayBuffer): SeriesColumnsEntry[] {
  const view = new DataView(body);
  const headLength = view.getUint32(0, true);
  const { series } = JSON.parse(new TextDecoder().decode(new Uint8Array(body, 4, headLength))) as {
    series: ((SeriesKey & PackedHead) | (SeriesKey & { error: string }))[];
  };
  let at = Math.ceil((4 + headLength) / 8) * 8;
  const read = (count: number): number[] => {
    const out = new Array<number>(count);
    if (littleEndian) {
      const floats = new Float64Array(body, at, count);
      for (let i = 0; i < count; i++) out[i] = floats[i] as number;
    } else for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
    at += 8 * count;
    return out;
  };
  return series.map((entry): SeriesColumnsEntry => {
    if ("error" in entry) return entry;
    const { length, ...rest } = entry;
    const [from, to] = rest.bucketed;
    const step = read(length);
    const value = read(length);
    const loggedAt = read(length);
    const bucketMins = read(to - from);
    const bucketMaxs = read(to - from);
    const hidden = rest.nonFinite ?? 0;
    const nonFinite =
      hidden > 0 ? { step: read(hidden), value: read(hidden), loggedAt: read(hidden) } : undefined;
    const minY = value.slice();
    const maxY = value.slice();
    for (let i = from; i < to; i++) {
      minY[i] = bucketMins[i - from] as number;
      maxY[i] = bucketMaxs[i - from] as number;
    }
    const { nonFinite: _count, ...head } = rest;
    return nonFinite
      ? { ...head, step, value, minY, maxY, loggedAt, nonFinite }
      : { ...head, step, value, minY, maxY, loggedAt };
  });
}
