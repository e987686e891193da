/**
 * What `/api/series/columns` must answer for a series, from what `/api/series` (or the
 * per-run `/metrics`) answers for it: the same figures, point by point, as columns.
 */

import { expect } from "bun:test";

interface PointsAnswer {
  points: {
    step: number;
    value: unknown;
    minY: unknown;
    maxY: unknown;
    downsampled: boolean;
    logged_at: string;
  }[];
  firstPointIndex: number;
  lastPointIndex: number;
  totalCount: number;
  downsampled: boolean;
}

/** Seconds since 1970 of FORMAT.md's `logged_at` text, to the microsecond it carries. */
export function isoSeconds(iso: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$/.exec(iso);
  if (!match) throw new Error(`not a logged_at: ${iso}`);
  return Date.parse(`${match[1]}${match[3]}`) / 1000 + Number(`0${match[2] ?? ""}`);
}

/** Expects `columns` (an entry of `/api/series/columns`) to carry exactly `points`' figures. */
export function expectSameSeries(columns: Record<string, unknown>, points: PointsAnswer): void {
  const { loggedAt, ...rest } = columns as { loggedAt: number[] } & Record<string, unknown>;
  const buckets = points.points.flatMap((point, i) => (point.downsampled ? [i] : []));
  const key = ["project", "run_id", "path"];
  const without = (entry: object) =>
    Object.fromEntries(Object.entries(entry).filter(([name]) => !key.includes(name)));
  const { points: _, ...envelope } = points;
  const kept = without(rest);
  expect(kept).toEqual({
    ...without(envelope),
    bucketed:
      buckets.length === 0 ? [0, 0] : [buckets[0], (buckets[buckets.length - 1] as number) + 1],
    step: points.points.map((point) => point.step),
    value: points.points.map((point) => point.value),
    minY: points.points.map((point) => point.minY),
    maxY: points.points.map((point) => point.maxY),
  });
  expect(loggedAt).toHaveLength(points.points.length);
  for (const [i, point] of points.points.entries())
    expect(loggedAt[i] as number).toBeCloseTo(isoSeconds(point.logged_at), 5);
}

/** A number of the JSON API, where non-finite values travel as strings. */
function wireNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (value === "NaN") return Number.NaN;
  throw new Error(`not a number of the API: ${String(value)}`);
}

/**
 * Expects the unpacked entries of `/api/series/packed` to be exactly the entries of
 * `/api/series/columns` (`columns`, its parsed JSON), non-finite values as numbers.
 */
export function expectSamePacked(packed: readonly object[], columns: readonly object[]): void {
  // The non-finite points inside buckets are the packed answer's alone.
  packed = packed.map((entry) => {
    if (!("nonFinite" in entry)) return entry;
    const { nonFinite: _, ...rest } = entry as Record<string, unknown>;
    return rest;
  });
  const asNumbers = (entry: object) => {
    if ("error" in entry) return entry;
    const columnsEntry = entry as Record<string, unknown>;
    const numbers = (name: string) => (columnsEntry[name] as unknown[]).map(wireNumber);
    return {
      ...columnsEntry,
      value: numbers("value"),
      minY: numbers("minY"),
      maxY: numbers("maxY"),
    };
  };
  expect(packed).toEqual(columns.map(asNumbers));
}
