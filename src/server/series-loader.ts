/**
 * Reads the points of one metric series into columns. A long series of a settled
 * file (no WAL content, so every reader sees the same snapshot) is read in two
 * halves at once, one by a loader Worker: reading rows out of SQLite is the cost of
 * a first look at a million-point series, and it divides across cores.
 */

import type { Database } from "bun:sqlite";
import { readY } from "../storage/run-reader.ts";
import type { LoadedRange, LoadRequest } from "./series-loader-protocol.ts";

/** Series shorter than this are read on the calling thread alone. */
const PARALLEL_FROM = 200_000;

export interface LoadedSeries {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly ts: Float64Array;
  readonly length: number;
}

/** Reads the points with `low <= step < high` (either bound may be absent) into columns. */
export function readRange(
  db: Database,
  seriesId: number,
  low: number | null,
  high: number | null,
): LoadedRange {
  const rows = db
    .query<unknown, [number, number, number]>(
      "SELECT step, y, ts FROM metric_points WHERE series_id = ? AND step >= ? AND step < ? ORDER BY step",
    )
    .values(seriesId, low ?? Number.NEGATIVE_INFINITY, high ?? Number.POSITIVE_INFINITY) as [
    number,
    number | string,
    number,
  ][];
  const length = rows.length;
  const steps = new Float64Array(length);
  const ys = new Float64Array(length);
  const ts = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const row = rows[i] as [number, number | string, number];
    steps[i] = row[0];
    ys[i] = readY(row[1]);
    ts[i] = row[2];
  }
  return { steps, ys, ts, length };
}

let loader: Worker | undefined;
let nextRequest = 1;
const waiting = new Map<
  number,
  { resolve(range: LoadedRange): void; reject(error: Error): void }
>();

function loaderWorker(): Worker {
  if (loader) return loader;
  const worker = new Worker(new URL("./series-loader-worker.ts", import.meta.url).href);
  worker.unref();
  worker.onmessage = (event: MessageEvent<{ id: number; range?: LoadedRange; error?: string }>) => {
    const pending = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    if (!pending) return;
    if (event.data.range) pending.resolve(event.data.range);
    else pending.reject(new Error(event.data.error ?? "the series loader failed"));
  };
  worker.onerror = () => {
    for (const pending of waiting.values()) pending.reject(new Error("the series loader stopped"));
    waiting.clear();
    loader = undefined;
  };
  loader = worker;
  return worker;
}

function concat(a: LoadedRange, b: LoadedRange): LoadedSeries {
  const length = a.length + b.length;
  const join = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { steps: join(a.steps, b.steps), ys: join(a.ys, b.ys), ts: join(a.ts, b.ts), length };
}

/**
 * The whole series, in step order. `settled` files with long series are split at the
 * middle step and read on two threads.
 */
export async function loadSeries(
  db: Database,
  file: string,
  seriesId: number,
  settled: boolean,
): Promise<LoadedSeries> {
  if (settled) {
    const bounds = db
      .query<{ n: number; lo: number | null; hi: number | null }, [number, number, number, number]>(
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM metric_points WHERE series_id = ? LIMIT ?)) AS n, (SELECT min(step) FROM metric_points WHERE series_id = ?) AS lo, (SELECT max(step) FROM metric_points WHERE series_id = ?) AS hi",
      )
      .get(seriesId, PARALLEL_FROM, seriesId, seriesId);
    if (
      bounds &&
      bounds.n >= PARALLEL_FROM &&
      bounds.lo !== null &&
      bounds.hi !== null &&
      bounds.hi > bounds.lo
    ) {
      const middle = bounds.lo + (bounds.hi - bounds.lo) / 2;
      const id = nextRequest++;
      const upper = new Promise<LoadedRange>((resolve, reject) =>
        waiting.set(id, { resolve, reject }),
      );
      loaderWorker().postMessage({
        id,
        file,
        seriesId,
        low: middle,
        high: null,
      } satisfies LoadRequest);
      const lower = readRange(db, seriesId, null, middle);
      return concat(lower, await upper);
    }
  }
  return readRange(db, seriesId, null, null);
}
