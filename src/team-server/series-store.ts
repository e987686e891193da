/**
 * Metric series read from their chunks, cached in memory per process and checked
 * against the series' version in the database before every use, so that several
 * servers on one database answer the same. A version change that only added chunks
 * (a live run) merges the new chunks into the cached columns; points appended after
 * the last step go into spare room at the end, so a live poll copies nothing.
 */

import type { SQL } from "bun";
import type { SeriesTrace } from "../api/read-store.ts";
import { type Columns, decodeChunk } from "./chunk-codec.ts";
import { mergeSeries, overlay } from "./series-merge.ts";

/** A series' columns: timestamps in milliseconds and, for the read API, in whole seconds. */
export interface StoredSeries extends Columns {
  readonly ts: Float64Array;
}

interface Cached {
  version: number;
  maxChunkId: number;
  series: StoredSeries;
}

/** Points kept in the cache at most, over all series. */
const MAX_CACHED_POINTS = 40_000_000;

function withSeconds(columns: Columns, capacity = columns.length): StoredSeries {
  const grow = (from: Float64Array) => {
    const out = new Float64Array(capacity);
    out.set(from.subarray(0, columns.length));
    return out;
  };
  const tsMs = grow(columns.tsMs);
  const ts = new Float64Array(capacity);
  for (let i = 0; i < columns.length; i++) ts[i] = Math.floor((tsMs[i] as number) / 1000);
  return { steps: grow(columns.steps), ys: grow(columns.ys), tsMs, ts, length: columns.length };
}

/** `series` with `added` (sorted, all after its last step) appended, in place when there is room. */
function append(series: StoredSeries, added: Columns): StoredSeries {
  const length = series.length + added.length;
  const target =
    length <= series.steps.length
      ? series
      : withSeconds(series, Math.max(length, series.length * 2));
  target.steps.set(added.steps.subarray(0, added.length), series.length);
  target.ys.set(added.ys.subarray(0, added.length), series.length);
  target.tsMs.set(added.tsMs.subarray(0, added.length), series.length);
  for (let i = 0; i < added.length; i++)
    target.ts[series.length + i] = Math.floor((added.tsMs[i] as number) / 1000);
  return { steps: target.steps, ys: target.ys, tsMs: target.tsMs, ts: target.ts, length };
}

export class SeriesStore {
  readonly #cache = new Map<number, Cached>();
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
    const done = (series: StoredSeries, source: NonNullable<SeriesTrace["source"]>) => {
      trace.source = source;
      trace.ms = performance.now() - started;
      return series;
    };
    if (cached && cached.version === version) {
      this.#cache.delete(seriesId);
      this.#cache.set(seriesId, cached);
      return done(cached.series, "memory");
    }
    if (cached) {
      const rows =
        await sql`SELECT id, compacted, source_max_id, body FROM metric_chunks WHERE series_id = ${seriesId} AND id > ${cached.maxChunkId} ORDER BY id`;
      // A compacted chunk made only of chunks the cache has seen adds nothing; one that
      // folded in a chunk it has not seen means reading the series again.
      const known = (chunk: { compacted: number; source_max_id: number | null }) =>
        Number(chunk.compacted) === 0 || Number(chunk.source_max_id) <= cached.maxChunkId;
      if (rows.every(known)) {
        let series = cached.series;
        let maxChunkId = cached.maxChunkId;
        for (const chunk of rows) {
          maxChunkId = Math.max(maxChunkId, Number(chunk.id));
          if (Number(chunk.compacted) === 1) continue;
          const added = decodeChunk(new Uint8Array(chunk.body));
          const last =
            series.length === 0
              ? Number.NEGATIVE_INFINITY
              : (series.steps[series.length - 1] as number);
          series =
            added.length > 0 && (added.steps[0] as number) > last
              ? append(series, added)
              : withSeconds(overlay(series, added));
        }
        this.#store(seriesId, { version, maxChunkId, series });
        return done(series, "new rows");
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
    const series = withSeconds(mergeSeries(base, newer));
    this.#store(seriesId, { version, maxChunkId, series });
    return done(series, "pages");
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
