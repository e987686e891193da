/**
 * Metric series read from their chunks, cached in memory per process and checked
 * against the series' version in the database before every use, so that several
 * servers on one database answer the same. A version change that only added chunks
 * (a live run) merges the new chunks into the cached columns instead of re-reading.
 */

import type { SQL } from "bun";
import { type Columns, decodeChunk } from "./chunk-codec.ts";
import { EMPTY, mergeSeries, overlay } from "./series-merge.ts";

interface Cached {
  version: number;
  maxChunkId: number;
  columns: Columns;
}

/** Points kept in the cache at most, over all series. */
const MAX_CACHED_POINTS = 40_000_000;

export interface SeriesTrace {
  source?: "cache" | "delta" | "database";
  ms?: number;
}

export class SeriesStore {
  readonly #cache = new Map<number, Cached>();
  #points = 0;

  async metric(sql: SQL, seriesId: number, trace: SeriesTrace = {}): Promise<Columns> {
    const started = performance.now();
    const [row] = await sql`SELECT version FROM series WHERE id = ${seriesId}`;
    if (!row) return EMPTY;
    const version = Number(row.version);
    const cached = this.#cache.get(seriesId);
    if (cached && cached.version === version) {
      this.#cache.delete(seriesId);
      this.#cache.set(seriesId, cached);
      trace.source = "cache";
      trace.ms = performance.now() - started;
      return cached.columns;
    }
    if (cached) {
      const rows =
        await sql`SELECT id, compacted, body FROM metric_chunks WHERE series_id = ${seriesId} AND id > ${cached.maxChunkId} ORDER BY id`;
      if (rows.every((chunk: { compacted: number }) => Number(chunk.compacted) === 0)) {
        let columns = cached.columns;
        let maxChunkId = cached.maxChunkId;
        for (const chunk of rows) {
          columns = overlay(columns, decodeChunk(new Uint8Array(chunk.body)));
          maxChunkId = Math.max(maxChunkId, Number(chunk.id));
        }
        this.#store(seriesId, { version, maxChunkId, columns });
        trace.source = "delta";
        trace.ms = performance.now() - started;
        return columns;
      }
    }
    const rows =
      await sql`SELECT id, compacted, body FROM metric_chunks WHERE series_id = ${seriesId} ORDER BY id`;
    const base: Columns[] = [];
    const newer: Columns[] = [];
    let maxChunkId = 0;
    for (const chunk of rows) {
      (Number(chunk.compacted) === 1 ? base : newer).push(decodeChunk(new Uint8Array(chunk.body)));
      maxChunkId = Math.max(maxChunkId, Number(chunk.id));
    }
    const columns = mergeSeries(base, newer);
    this.#store(seriesId, { version, maxChunkId, columns });
    trace.source = "database";
    trace.ms = performance.now() - started;
    return columns;
  }

  #store(seriesId: number, entry: Cached): void {
    const old = this.#cache.get(seriesId);
    if (old) {
      this.#points -= old.columns.length;
      this.#cache.delete(seriesId);
    }
    this.#cache.set(seriesId, entry);
    this.#points += entry.columns.length;
    for (const [id, victim] of this.#cache) {
      if (this.#points <= MAX_CACHED_POINTS || id === seriesId) break;
      this.#cache.delete(id);
      this.#points -= victim.columns.length;
    }
  }
}
