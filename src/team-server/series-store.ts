/**
 * Metric series read from their chunks, cached in memory per process and checked
 * against the series' version in the database before every use, so that several
 * servers on one database answer the same. A version change that only added chunks
 * (a live run) merges the new chunks into the cached columns; points appended after
 * the last step go into spare room at the end, so a live poll copies nothing. The
 * cache keeps what the read API answers (steps, values, timestamps in whole seconds):
 * the remote protocol's reads, which need milliseconds, read the chunks themselves.
 */

import type { SQL } from "bun";
import type { DownsampleRange, SeriesColumns, SeriesTrace } from "../api/read-store.ts";
import { type Columns, decodeChunk, decodeChunkSecondsInto } from "./chunk-codec.ts";
import { bytesOf, type ChunkRow, inOrder } from "./chunk-rows.ts";
import { EMPTY, mergeSeries } from "./series-merge.ts";
import { streamedView } from "./streamed-view.ts";

/** A series as the read API takes it: timestamps in whole seconds, room past `length`. */
export type StoredSeries = SeriesColumns;

interface Cached {
  version: number;
  maxChunkId: number;
  series: StoredSeries;
}

/** Points kept in the cache at most, over all series. */
const MAX_CACHED_POINTS = 40_000_000;
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
function append(series: StoredSeries, added: Columns): StoredSeries {
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

function done(
  trace: SeriesTrace,
  started: number,
  series: StoredSeries,
  source: NonNullable<SeriesTrace["source"]>,
): StoredSeries {
  trace.source = source;
  trace.ms = performance.now() - started;
  return series;
}

/**
 * A whole series from its chunks, in milliseconds: compacted chunks, then fresh ones
 * over them in the order they were written.
 */
function mergeChunks(rows: readonly ChunkRow[]): Columns {
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
function readChunks(rows: readonly ChunkRow[]): StoredSeries {
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

/** A chunk row as the queries for new chunks return it (a compacted one without its body). */
export interface NewChunkRow {
  readonly id: number;
  readonly compacted: number;
  readonly source_max_id: number | null;
  readonly body: Uint8Array | null;
}

/** A series held in memory: what a query for its changes needs to know. */
export interface HeldSeries {
  readonly id: number;
  readonly version: number;
  readonly maxChunkId: number;
}

/** Series viewed once without being held, remembered at most. */
const MAX_STREAMED = 10_000;

/** Series ids remembered by (run, path) at most, for {@link SeriesStore.held}. */
const MAX_KNOWN_IDS = 100_000;

export interface SeriesStoreOptions {
  /**
   * Series of at least this many points are viewed the first time without being held
   * (see {@link SeriesStore.view}); smaller ones are read whole and kept at once.
   * @default 100000
   */
  readonly streamViewsFrom?: number | undefined;
}

export class SeriesStore {
  readonly #streamFrom: number;

  constructor(options: SeriesStoreOptions = {}) {
    this.#streamFrom = options.streamViewsFrom ?? 100_000;
  }

  readonly #cache = new Map<number, Cached>();
  /** Series id by `${run id}\u0000${path}`, of metric series read before. */
  readonly #ids = new Map<string, number>();
  /** Ids of the metric series of each run (by its database id) remembered. */
  readonly #ofRun = new Map<number, Set<number>>();
  /** Series viewed once by streaming their chunks, not held (see {@link view}). */
  readonly #streamed = new Set<number>();
  #points = 0;

  /** The series with id `seriesId`, current as of its version in the database. */
  async metric(
    sql: SQL,
    seriesId: number,
    trace: SeriesTrace = {},
    knownVersion?: number,
  ): Promise<StoredSeries | undefined> {
    const started = performance.now();
    let version = knownVersion;
    if (version === undefined) {
      const [row] = await sql`SELECT version FROM series WHERE id = ${seriesId}`;
      if (!row) return undefined;
      version = Number(row.version);
    }
    const cached = this.#cache.get(seriesId);
    if (cached && cached.version === version) return this.#hit(seriesId, cached, trace, started);
    if (cached) {
      const rows =
        await sql`SELECT id, compacted, source_max_id, CASE WHEN compacted = 0 THEN body END AS body
        FROM metric_chunks WHERE series_id = ${seriesId} AND id > ${cached.maxChunkId} ORDER BY id`;
      const series = this.#addNew(seriesId, cached, version, rows as NewChunkRow[]);
      if (series) return done(trace, started, series, "new rows");
    }
    return this.#readWhole(sql, seriesId, version, trace, started);
  }

  /**
   * A downsampled view of a series (FORMAT.md), as its JSON text, or the series when it
   * is answered from the whole of it. A large series that is not in memory is viewed the
   * first time by streaming its chunks through the buckets (when they simply follow each
   * other) and not kept: no memory for the whole of it, which costs more than reading it; asked again, it is read whole and kept, so that repeated views
   * and live polls of it cost little.
   */
  async view(
    sql: SQL,
    seriesId: number,
    version: number,
    request: DownsampleRange & { readonly path: string },
    trace: SeriesTrace = {},
  ): Promise<string | StoredSeries | undefined> {
    if (this.#cache.has(seriesId) || this.#streamed.delete(seriesId))
      return this.metric(sql, seriesId, trace, version);
    const started = performance.now();
    const rows = (await sql`SELECT id, compacted, point_count, first_step, last_step, body
      FROM metric_chunks WHERE series_id = ${seriesId} ORDER BY id`) as ChunkRow[];
    const order = inOrder(rows);
    const total = order?.points ?? 0;
    const first = request.first === undefined ? 0 : Math.max(0, request.first);
    const last = request.last === undefined ? total - 1 : Math.min(total - 1, request.last);
    if (
      order === undefined ||
      total < this.#streamFrom ||
      total === 0 ||
      last - first + 1 <= request.pointCount
    )
      return this.#wholeFrom(rows, seriesId, version, trace, started);
    const text = streamedView(order.ordered, total, request.path, first, last, request.pointCount);
    if (this.#streamed.size >= MAX_STREAMED) this.#streamed.clear();
    this.#streamed.add(seriesId);
    trace.source = "streamed";
    trace.ms = performance.now() - started;
    return text;
  }

  /** The whole series with timestamps in milliseconds (for the remote protocol), not cached. */
  async metricColumns(sql: SQL, seriesId: number): Promise<Columns> {
    const rows =
      await sql`SELECT id, compacted, point_count, first_step, last_step, body FROM metric_chunks WHERE series_id = ${seriesId} ORDER BY id`;
    return mergeChunks(rows as ChunkRow[]);
  }

  /** Remembers that series `seriesId` is `path` of run `runId` (see {@link held}). */
  remember(runId: number, path: Uint8Array, seriesId: number): void {
    if (this.#ids.size >= MAX_KNOWN_IDS) {
      this.#ids.clear();
      this.#ofRun.clear();
    }
    this.#ids.set(`${runId}\u0000${Buffer.from(path).toString("latin1")}`, seriesId);
    let ids = this.#ofRun.get(runId);
    if (!ids) {
      ids = new Set();
      this.#ofRun.set(runId, ids);
    }
    ids.add(seriesId);
  }

  /** The id of series `path` of run `runId`, when remembered. */
  idOf(runId: number, path: Uint8Array): number | undefined {
    return this.#ids.get(`${runId}\u0000${Buffer.from(path).toString("latin1")}`);
  }

  /**
   * The run's series held in memory (at most `limit`), which a run lookup checks in the
   * same query (their versions, and the chunks written since: see {@link topUp}), so
   * that a repeated view or a live poll needs no query of its own.
   */
  held(runId: number, limit = 64): HeldSeries[] {
    const held: HeldSeries[] = [];
    for (const id of this.#ofRun.get(runId) ?? []) {
      if (held.length >= limit) break;
      const cached = this.#cache.get(id);
      if (cached) held.push({ id, version: cached.version, maxChunkId: cached.maxChunkId });
    }
    return held;
  }

  /**
   * Brings a held series to `version` with the chunks written after `from` was read
   * (`rows`, in id order, bodies of compacted ones left out); nothing when the cache
   * moved on meanwhile or a compacted chunk needs the series read whole (the next
   * {@link metric} does that).
   */
  topUp(from: HeldSeries, version: number, rows: readonly NewChunkRow[]): void {
    const cached = this.#cache.get(from.id);
    if (!cached || cached.version !== from.version || cached.maxChunkId !== from.maxChunkId) return;
    if (version !== cached.version) this.#addNew(from.id, cached, version, rows);
  }

  #hit(seriesId: number, cached: Cached, trace: SeriesTrace, started: number): StoredSeries {
    this.#cache.delete(seriesId);
    this.#cache.set(seriesId, cached);
    return done(trace, started, cached.series, "memory");
  }

  /**
   * The cached series with the chunks written since added, or undefined when a
   * compacted chunk folded in a chunk the cache has not seen (then read it whole).
   */
  #addNew(
    seriesId: number,
    cached: Cached,
    version: number,
    rows: readonly NewChunkRow[],
  ): StoredSeries | undefined {
    // A compacted chunk made only of chunks the cache has seen adds nothing; one that
    // folded in a chunk it has not seen means reading the series again.
    const known = (chunk: NewChunkRow) =>
      Number(chunk.compacted) === 0 || Number(chunk.source_max_id) <= cached.maxChunkId;
    if (!rows.every(known)) return undefined;
    let series = cached.series;
    let maxChunkId = cached.maxChunkId;
    for (const chunk of rows) {
      maxChunkId = Math.max(maxChunkId, Number(chunk.id));
      if (Number(chunk.compacted) === 1) continue;
      const added = decodeChunk(bytesOf(chunk.body));
      const last =
        series.length === 0
          ? Number.NEGATIVE_INFINITY
          : (series.steps[series.length - 1] as number);
      // A chunk over earlier steps: merging needs the milliseconds, which the cache
      // does not keep, so the series is read whole.
      if (added.length > 0 && !((added.steps[0] as number) > last)) return undefined;
      series = append(series, added);
    }
    this.#store(seriesId, { version, maxChunkId, series });
    return series;
  }

  async #readWhole(
    sql: SQL,
    seriesId: number,
    version: number,
    trace: SeriesTrace,
    started: number,
  ): Promise<StoredSeries> {
    const rows =
      await sql`SELECT id, compacted, point_count, first_step, last_step, body FROM metric_chunks WHERE series_id = ${seriesId} ORDER BY id`;
    return this.#wholeFrom(rows as ChunkRow[], seriesId, version, trace, started);
  }

  #wholeFrom(
    rows: readonly ChunkRow[],
    seriesId: number,
    version: number,
    trace: SeriesTrace,
    started: number,
  ): StoredSeries {
    const series = readChunks(rows);
    let maxChunkId = 0;
    for (const chunk of rows) maxChunkId = Math.max(maxChunkId, Number(chunk.id));
    this.#store(seriesId, { version, maxChunkId, series });
    return done(trace, started, series, "pages");
  }

  #store(seriesId: number, entry: Cached): void {
    const old = this.#cache.get(seriesId);
    if (old) {
      this.#points -= old.series.length;
      this.#cache.delete(seriesId);
    }
    this.#cache.set(seriesId, entry);
    this.#points += entry.series.length;
    for (const [id, victim] of this.#cache) {
      if (this.#points <= MAX_CACHED_POINTS || id === seriesId) break;
      this.#cache.delete(id);
      this.#points -= victim.series.length;
    }
  }
}
