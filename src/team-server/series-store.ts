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
import type { DownsampleRange, SeriesTrace } from "../api/read-store.ts";
import { type Columns, decodeChunk } from "./chunk-codec.ts";
import { bytesOf, type ChunkRow } from "./chunk-rows.ts";
import { firstView, warmFirstView } from "./first-view.ts";
import { allChunks, append, mergeChunks, readChunks, type StoredSeries } from "./series-columns.ts";

export type { StoredSeries } from "./series-columns.ts";

interface Cached {
  version: number;
  maxChunkId: number;
  series: StoredSeries;
}

/** Points kept in the cache at most, over all series. */
const MAX_CACHED_POINTS = 40_000_000;
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
   * first time from its overview or by streaming its chunks (first-view.ts) and not
   * kept: no memory for the whole of it, which costs more than reading it; asked again,
   * it is read whole and kept, so that repeated views and live polls of it cost little.
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
    const found = await firstView(sql, seriesId, version, request, this.#streamFrom);
    if ("text" in found) {
      this.#remember(seriesId);
      trace.source = found.source;
      trace.ms = performance.now() - started;
      return found.text;
    }
    return found.rows
      ? this.#wholeFrom(found.rows, seriesId, version, trace, started)
      : this.#readWhole(sql, seriesId, version, trace, started);
  }

  /** Runs a first view's statements on `sql` for a series no row has (for warm-up.ts). */
  async warm(sql: SQL): Promise<void> {
    await warmFirstView(sql, this.#streamFrom);
  }

  /** The whole series with timestamps in milliseconds (for the remote protocol), not cached. */
  async metricColumns(sql: SQL, seriesId: number): Promise<Columns> {
    return mergeChunks(await allChunks(sql, seriesId));
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

  /** Series `seriesId` was viewed without being held: asked again, it is read whole and held. */
  #remember(seriesId: number): void {
    if (this.#streamed.size >= MAX_STREAMED) this.#streamed.clear();
    this.#streamed.add(seriesId);
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
    return this.#wholeFrom(await allChunks(sql, seriesId), seriesId, version, trace, started);
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
