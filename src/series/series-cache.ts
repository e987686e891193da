/**
 * Metric series held in memory as columns (step, value, ts), so that downsampling a
 * million points is a pass over Float64Arrays instead of a million SQLite rows.
 *
 * An entry is refreshed when its file changes: rows added since it was read (those
 * with a rowid at or above the largest it saw, which is where upserts put new and
 * rewritten points) are merged in; only an insert into the middle of the series
 * makes it read the whole series again.
 */

import type { Database } from "bun:sqlite";
import type { SeriesTrace } from "../api/read-store.ts";
import { type CacheStats, ENTRY_OVERHEAD_BYTES, stringBytes } from "../cache/byte-lru.ts";
import type { FileVersion } from "../storage/connection-pool.ts";
import { readY } from "../storage/run-reader.ts";
import { loadAllFromPages, loadAllOnWorker, loadSeries } from "./series-loader-client.ts";
import type { SeriesColumns } from "./series-loader-protocol.ts";

export type { SeriesTrace } from "../api/read-store.ts";

interface Entry {
  version: string;
  /** The largest rowid of metric_points when the entry was last brought up to date. */
  maxRowid: number;
  steps: Float64Array;
  ys: Float64Array;
  ts: Float64Array;
  length: number;
}

const BYTES_PER_POINT = 24;
const EMPTY: SeriesColumns = {
  steps: new Float64Array(0),
  ys: new Float64Array(0),
  ts: new Float64Array(0),
  length: 0,
};
/**
 * Tables with fewer rows than this are decoded whole from their pages at the first
 * request for any of their series (a few milliseconds): the other series are what
 * the other charts of the same runs ask for next. A chart board of 30 sweep runs
 * (10 charts, 400,000 rows in all) read one series at a time through SQLite took
 * 650 ms of the server's time on a cold start, against about 80 ms decoded.
 */
const WHOLE_TABLE_BELOW = 200_000;
/** A longer table is decoded whole only for a series that holds at least this share of its rows. */
const PAGES_SHARE = 4;

function grow(array: Float64Array, capacity: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(array);
  return grown;
}

/** Index of `step` in the first `length` entries of sorted `steps`, or -1. */
function find(steps: Float64Array, length: number, step: number): number {
  let low = 0;
  let high = length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = steps[middle] as number;
    if (value === step) return middle;
    if (value < step) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

export class SeriesCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  #bytes = 0;

  /** @param maxBytes the most bytes the columns kept (with their keys) may take. */
  constructor(maxBytes = 512 * 2 ** 20) {
    this.#maxBytes = maxBytes;
  }

  /** What the cached series take, by the same accounting that bounds them. */
  get stats(): CacheStats {
    return { bytes: this.#bytes, maxBytes: this.#maxBytes, entries: this.#entries.size };
  }

  /** An entry's bytes: its columns' capacity, its key and the map's node. */
  static #size(key: string, entry: Entry): number {
    return entry.steps.length * BYTES_PER_POINT + stringBytes(key) + ENTRY_OVERHEAD_BYTES;
  }

  readonly #loading = new Map<string, Promise<{ entry: Entry; source: "pages" | "sqlite" }>>();
  /** Whole tables being decoded on the loader Worker ({@link prefetch}), by file version. */
  readonly #prefetching = new Map<string, Promise<void>>();

  /**
   * Reads every series of a settled file ahead of the requests for them (a page that
   * links to runs asks for their charts next), where a request would decode the whole
   * table anyway (see {@link #pagesPay}, for the series of the table's last row). The
   * pages are decoded on the loader Worker, so that this thread goes on answering (the
   * page's own scripts, first of all); a request for one of the file's series waits
   * for it instead of reading the file again.
   */
  prefetch(db: Database, file: string, version: FileVersion): Promise<void> {
    const attempt = `${file}\u0000${version.key}`;
    const pending = this.#prefetching.get(attempt);
    if (pending) return pending;
    if (!version.settled || this.#undecodable.has(attempt)) return Promise.resolve();
    const last = db
      .query<{ id: number; top: number }, []>(
        "SELECT series_id AS id, rowid AS top FROM metric_points ORDER BY rowid DESC LIMIT 1",
      )
      .get();
    if (!last || this.#entries.get(`${file}\u0000${last.id}`)?.version === version.key)
      return Promise.resolve();
    const { id: seriesId, top } = last;
    if (!this.#pagesPay(db, seriesId, top)) return Promise.resolve();
    const decoding = loadAllOnWorker(file, version).then(
      (all) => {
        if (all === "refused") this.#noteUndecodable(attempt);
        if (typeof all !== "object") return;
        for (const [id, data] of all)
          this.#add(`${file}\u0000${id}`, { version: version.key, maxRowid: top, ...data });
      },
      () => {},
    );
    const done = decoding.finally(() => this.#prefetching.delete(attempt));
    this.#prefetching.set(attempt, done);
    return done;
  }

  /** The points of series `seriesId` in `file`, in step order, current as of `version`. */
  async get(
    db: Database,
    file: string,
    version: FileVersion,
    seriesId: number,
    trace: SeriesTrace = {},
  ): Promise<SeriesColumns> {
    const started = performance.now();
    const key = `${file}\u0000${seriesId}`;
    const cached = this.#current(db, key, version, seriesId, trace);
    if (cached) {
      trace.ms = performance.now() - started;
      return cached;
    }
    const prefetching = this.#prefetching.get(`${file}\u0000${version.key}`);
    if (prefetching) {
      await prefetching;
      const prefetched = this.#current(db, key, version, seriesId, trace);
      if (prefetched) {
        trace.ms = performance.now() - started;
        return prefetched;
      }
    }
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = this.#load(db, file, seriesId, version);
      this.#loading.set(key, loading);
    }
    try {
      const { entry, source } = await loading;
      this.#add(key, entry);
      trace.source = source;
      trace.ms = performance.now() - started;
      return entry;
    } finally {
      this.#loading.delete(key);
    }
  }

  /** The entry for `key` brought up to `version`, or undefined. */
  #current(
    db: Database,
    key: string,
    version: FileVersion,
    seriesId: number,
    trace: SeriesTrace,
  ): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (entry.version === version.key || this.#refresh(db, entry, seriesId)) {
      trace.source = entry.version === version.key ? "memory" : "new rows";
      entry.version = version.key;
      return entry;
    }
    this.#drop(key, entry);
    return undefined;
  }

  #add(key: string, entry: Entry): void {
    if (this.#entries.has(key)) return;
    this.#entries.set(key, entry);
    this.#bytes += SeriesCache.#size(key, entry);
    this.#evict();
  }

  async #load(
    db: Database,
    file: string,
    seriesId: number,
    version: FileVersion,
  ): Promise<{ entry: Entry; source: "pages" | "sqlite" }> {
    const maxRowid = (): number =>
      db.query<{ m: number | null }, []>("SELECT max(rowid) AS m FROM metric_points").get()?.m ?? 0;
    if (!version.settled) {
      // Whatever is written from this rowid on, during the read or after it, is
      // merged in by the next refresh.
      const top = maxRowid();
      const data = await loadSeries(db, file, seriesId, true);
      return { entry: { version: version.key, maxRowid: top, ...data }, source: "sqlite" };
    }
    // Nothing writes a settled file: separate reads cannot see different states.
    const top = maxRowid();
    const attempt = `${file}\u0000${version.key}`;
    const all =
      !this.#undecodable.has(attempt) &&
      this.#pagesPay(db, seriesId, top) &&
      loadAllFromPages(db, file, version);
    if (all === undefined) this.#noteUndecodable(attempt);
    if (all) {
      const entry = (data: SeriesColumns): Entry => ({
        version: version.key,
        maxRowid: top,
        ...data,
      });
      for (const [id, data] of all)
        if (id !== seriesId) this.#add(`${file}\u0000${id}`, entry(data));
      return { entry: entry(all.get(seriesId) ?? EMPTY), source: "pages" };
    }
    const data = await loadSeries(db, file, seriesId, false);
    return { entry: { version: version.key, maxRowid: top, ...data }, source: "sqlite" };
  }

  /**
   * File versions whose pages the reader refused (or that changed while read): their
   * other series go through SQLite at once instead of decoding the table again.
   */
  readonly #undecodable = new Set<string>();

  #noteUndecodable(attempt: string): void {
    // Bounded: a damaged file is rare, and forgetting one only costs a decode again.
    if (this.#undecodable.size >= 1024) this.#undecodable.clear();
    this.#undecodable.add(attempt);
  }

  /**
   * Whether decoding the whole table from its pages beats reading one series through
   * SQLite: the table fits the cache with room to spare, and it is short or the series
   * is a large share of it (the other series come along, ready for the next requests).
   */
  #pagesPay(db: Database, seriesId: number, tableRows: number): boolean {
    if (tableRows * BYTES_PER_POINT > this.#maxBytes / 2) return false;
    if (tableRows < WHOLE_TABLE_BELOW) return true;
    const needed = Math.ceil(tableRows / PAGES_SHARE);
    const count =
      db
        .query<{ n: number }, [number, number]>(
          "SELECT count(*) AS n FROM (SELECT 1 FROM metric_points WHERE series_id = ? LIMIT ?)",
        )
        .get(seriesId, needed)?.n ?? 0;
    return count >= needed;
  }

  /** Merges rows written since the entry was read; false when it must be read again. */
  #refresh(db: Database, entry: Entry, seriesId: number): boolean {
    return db.transaction(() => {
      const maxRowid =
        db.query<{ m: number | null }, []>("SELECT max(rowid) AS m FROM metric_points").get()?.m ??
        0;
      if (maxRowid < entry.maxRowid) return false;
      // `+series_id`: left to itself, the planner walks the series' whole index entry
      // (100 ms for a million points) instead of the few rows past the rowid.
      const rows = db
        .query<unknown, [number, number]>(
          "SELECT step, y, ts FROM metric_points WHERE rowid >= ? AND +series_id = ? ORDER BY rowid",
        )
        .values(entry.maxRowid, seriesId) as [number, number | string, number][];
      for (const [step, y, ts] of rows) {
        const length = entry.length;
        if (length === 0 || step > (entry.steps[length - 1] as number)) {
          if (length === entry.steps.length) {
            const capacity = Math.max(16, length * 2);
            this.#bytes += (capacity - length) * BYTES_PER_POINT;
            entry.steps = grow(entry.steps, capacity);
            entry.ys = grow(entry.ys, capacity);
            entry.ts = grow(entry.ts, capacity);
          }
          entry.steps[length] = step;
          entry.ys[length] = readY(y);
          entry.ts[length] = ts;
          entry.length = length + 1;
          continue;
        }
        const at = find(entry.steps, length, step);
        if (at < 0) return false;
        entry.ys[at] = readY(y);
        entry.ts[at] = ts;
      }
      entry.maxRowid = maxRowid;
      this.#evict();
      return true;
    })();
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= SeriesCache.#size(key, entry);
  }

  /**
   * Drops the least recently used series until the bound holds, the one just read
   * included: a series larger than the whole bound is answered but not kept.
   */
  #evict(): void {
    while (this.#bytes > this.#maxBytes && this.#entries.size > 0) {
      const [key, oldest] = this.#entries.entries().next().value as [string, Entry];
      this.#drop(key, oldest);
    }
  }

  /** Forgets every series of `file`. */
  forget(file: string): void {
    const prefix = `${file}\u0000`;
    for (const [key, entry] of this.#entries) if (key.startsWith(prefix)) this.#drop(key, entry);
  }
}
