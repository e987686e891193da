/**
 * A metric series' columns as the read API takes them (timestamps in whole seconds),
 * read from its chunks: straight into one set of columns when the chunks simply follow
 * each other, merged otherwise, with room at the end for the points a live run adds.
 */

import type { SQL } from "bun";
import type { SeriesColumns } from "../api/read-store.ts";
import { type Columns, decodeChunk, decodeChunkSecondsInto } from "./chunk-codec.ts";
import { bytesOf, type ChunkRow, inOrder } from "./chunk-rows.ts";
import { EMPTY, mergeSeries } from "./series-merge.ts";

/** A series as the read API takes it: timestamps in whole seconds, room past `length`. */
export type StoredSeries = SeriesColumns;

/** Room left after a series read whole, for the points a live run adds next. */
const SPARE_POINTS = 65_536;

function room(points: number): number {
  return points + Math.min(SPARE_POINTS, points >> 3);
}

/** `columns` (timestamps in milliseconds) as a stored series with room for `capacity` points. */
function toSeconds(columns: Columns, capacity = columns.length): StoredSeries {
  const steps = new Float64Array(capacity);
  const ys = new Float64Array(capacity);
  const ts = new Float64Array(capacity);
  steps.set(columns.steps.subarray(0, columns.length));
  ys.set(columns.ys.subarray(0, columns.length));
  for (let i = 0; i < columns.length; i++) ts[i] = Math.floor((columns.tsMs[i] as number) / 1000);
  return { steps, ys, ts, length: columns.length };
}

/** `series` with `added` (sorted, all after its last step) appended, in place when there is room. */
export function append(series: StoredSeries, added: Columns): StoredSeries {
  const length = series.length + added.length;
  let target = series;
  if (length > series.steps.length) {
    const capacity = Math.max(length, series.length * 2);
    const grow = (from: Float64Array) => {
      const out = new Float64Array(capacity);
      out.set(from.subarray(0, series.length));
      return out;
    };
    target = { steps: grow(series.steps), ys: grow(series.ys), ts: grow(series.ts), length };
  }
  target.steps.set(added.steps.subarray(0, added.length), series.length);
  target.ys.set(added.ys.subarray(0, added.length), series.length);
  for (let i = 0; i < added.length; i++)
    target.ts[series.length + i] = Math.floor((added.tsMs[i] as number) / 1000);
  return { steps: target.steps, ys: target.ys, ts: target.ts, length };
}

/**
 * A whole series from its chunks, in milliseconds: compacted chunks, then fresh ones
 * over them in the order they were written.
 */
export function mergeChunks(rows: readonly ChunkRow[]): Columns {
  const base = rows
    .filter((chunk) => Number(chunk.compacted) === 1)
    .map((chunk) => decodeChunk(bytesOf(chunk.body)));
  const newer = rows
    .filter((chunk) => Number(chunk.compacted) !== 1)
    .map((chunk) => decodeChunk(bytesOf(chunk.body)));
  return rows.length === 0 ? EMPTY : mergeSeries(base, newer);
}

/**
 * A whole series from its chunks (in id order). The usual shape (compacted chunks with
 * disjoint step ranges, then fresh chunks each after the last step) is decoded straight
 * into one set of columns, sized from the chunks' point counts; anything else is merged.
 */
export function readChunks(rows: readonly ChunkRow[]): StoredSeries {
  const order = inOrder(rows);
  if (!order) {
    const merged = mergeChunks(rows);
    return toSeconds(merged, room(merged.length));
  }
  // Spare room, so that the points of a live run are appended without a copy.
  const capacity = room(order.points);
  const target = {
    steps: new Float64Array(capacity),
    ys: new Float64Array(capacity),
    ts: new Float64Array(capacity),
  };
  let length = 0;
  for (const chunk of order.ordered)
    length += decodeChunkSecondsInto(bytesOf(chunk.body), target, length);
  return { ...target, length };
}

/** Every chunk of series `seriesId`, in id order: one statement for every whole read. */
export const allChunks = (sql: SQL, seriesId: number) =>
  sql`SELECT id, compacted, point_count, first_step, last_step, body FROM metric_chunks WHERE series_id = ${seriesId} ORDER BY id` as Promise<
    ChunkRow[]
  >;

/** Series `seriesId` read whole from its chunks, as the read API takes it, without caching it. */
export async function readSeries(sql: SQL, seriesId: number): Promise<StoredSeries> {
  return readChunks(await allChunks(sql, seriesId));
}

/** A series read from chunk bodies in memory, as {@link SeriesStore.metric} reads them: for warm-up.ts. */
export function readChunksForWarmUp(bodies: readonly Uint8Array[]): StoredSeries {
  let first = 0;
  const rows = bodies.map((body, i) => {
    const columns = decodeChunk(body);
    const row: ChunkRow = {
      id: i + 1,
      compacted: 1,
      point_count: columns.length,
      first_step: first,
      last_step: first + columns.length - 1,
      body,
    };
    first += columns.length;
    return row;
  });
  return readChunks(rows);
}
