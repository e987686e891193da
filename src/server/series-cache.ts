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
import { readY } from "../storage/run-reader.ts";
import type { FileVersion } from "./connection-pool.ts";
import { type LoadedSeries, loadSeries, readRange } from "./series-loader.ts";

export interface SeriesColumns {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly ts: Float64Array;
  readonly length: number;
}

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

  constructor(maxBytes = 512 * 2 ** 20) {
    this.#maxBytes = maxBytes;
  }

  readonly #loading = new Map<string, Promise<Entry>>();

  /** The points of series `seriesId` in `file`, in step order, current as of `version`. */
  async get(
    db: Database,
    file: string,
    version: FileVersion,
    seriesId: number,
  ): Promise<SeriesColumns> {
    const key = `${file}\u0000${seriesId}`;
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      if (entry.version === version.key || this.#refresh(db, entry, seriesId)) {
        entry.version = version.key;
        return entry;
      }
      this.#drop(key, entry);
    }
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = this.#load(db, file, seriesId, version);
      this.#loading.set(key, loading);
    }
    try {
      const loaded = await loading;
      if (!this.#entries.has(key)) {
        this.#entries.set(key, loaded);
        this.#bytes += loaded.steps.length * BYTES_PER_POINT;
        this.#evict();
      }
      return loaded;
    } finally {
      this.#loading.delete(key);
    }
  }

  async #load(db: Database, file: string, seriesId: number, version: FileVersion): Promise<Entry> {
    const maxRowid = (): number =>
      db.query<{ m: number | null }, []>("SELECT max(rowid) AS m FROM metric_points").get()?.m ?? 0;
    let top: number;
    let data: LoadedSeries;
    if (version.settled) {
      // Nothing writes a settled file: the two reads cannot see different states.
      top = maxRowid();
      data = await loadSeries(db, file, seriesId, true);
    } else {
      [top, data] = db.transaction(
        () => [maxRowid(), readRange(db, seriesId, null, null)] as const,
      )();
    }
    return { version: version.key, maxRowid: top, ...data };
  }

  /** Merges rows written since the entry was read; false when it must be read again. */
  #refresh(db: Database, entry: Entry, seriesId: number): boolean {
    return db.transaction(() => {
      const maxRowid =
        db.query<{ m: number | null }, []>("SELECT max(rowid) AS m FROM metric_points").get()?.m ??
        0;
      if (maxRowid < entry.maxRowid) return false;
      const rows = db
        .query<unknown, [number, number]>(
          "SELECT step, y, ts FROM metric_points WHERE rowid >= ? AND series_id = ? ORDER BY rowid",
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
    this.#bytes -= entry.steps.length * BYTES_PER_POINT;
  }

  #evict(): void {
    while (this.#bytes > this.#maxBytes && this.#entries.size > 1) {
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
