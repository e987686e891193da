/**
 * Read queries on one run file, shared by `Run`'s read methods. Points are joined to
 * their series by id (orphans ignored, as every reader of the format does); the TEXT
 * 'NaN' that we store for NaN reads back as NaN.
 */

import { Database } from "bun:sqlite";
import { type ConfigValue, decodeConfigValue } from "../values/config-value.ts";
import { openImmutable, openLive } from "./connection-pool.ts";
import { bucketize, bucketSize } from "./downsample.ts";
import { hasRunTables } from "./schema.ts";

export interface ConfigRow {
  readonly path: string;
  readonly typeTag: string;
  readonly text: string | null;
  readonly updatedAt: string;
}

export interface MetricPoint {
  readonly step: number;
  readonly y: number;
}

export interface MetricBucket {
  /** Mean step of the bucket. */
  readonly step: number;
  /** Mean of the bucket's finite values. */
  readonly y: number;
  readonly yMin: number;
  readonly yMax: number;
  readonly stepMin: number;
  readonly stepMax: number;
  readonly count: number;
}

export type MetricData =
  | { readonly path: string; readonly downsampled: false; readonly rawPoints: MetricPoint[] }
  | { readonly path: string; readonly downsampled: true; readonly buckets: MetricBucket[] };

export interface StringPoint {
  readonly step: number;
  readonly value: string;
  /** When the point was logged, in milliseconds since the epoch (second resolution). */
  readonly timestampMs: number;
}

export interface MetricQuery {
  stepMin?: number | undefined;
  stepMax?: number | undefined;
  maxPoints?: number | undefined;
}

export interface StringQuery {
  limit?: number | undefined;
  offset?: number | undefined;
}

/** A stored y: REAL, or the TEXT 'NaN'. */
export function readY(y: number | string): number {
  return typeof y === "number" ? y : Number(y);
}

/** A connection that never writes the run (see {@link RunReader}'s constructor). */
function openForReading(file: string): { db: Database; tables: boolean } {
  let db: Database | undefined;
  try {
    db = openLive(file);
    return { db, tables: hasRunTables(db) };
  } catch (error) {
    db?.close();
    let still: Database | undefined;
    try {
      // No -wal or -shm can be made here, so no writer can be at work on the file either.
      still = openImmutable(file);
      return { db: still, tables: hasRunTables(still) };
    } catch {
      still?.close();
      throw error;
    }
  }
}

export class RunReader {
  readonly #db: Database;
  readonly #tables: boolean;

  /**
   * With `readonly`, the file is never written, and closing the reader leaves it as it
   * was found (no -wal or -shm beside a settled file); where SQLite cannot create those
   * side files (a read-only disk), the file is read as it is, without them.
   */
  constructor(file: string, options: { readonly: boolean }) {
    if (options.readonly) {
      ({ db: this.#db, tables: this.#tables } = openForReading(file));
      return;
    }
    this.#db = new Database(file, { strict: true });
    this.#db.run("PRAGMA busy_timeout=3000");
    this.#tables = hasRunTables(this.#db);
  }

  close(): void {
    this.#db.close();
  }

  meta(): Map<string, string> {
    const meta = new Map<string, string>();
    if (!this.#tables) return meta;
    for (const row of this.#db
      .query<{ key: string; value: string | null }, []>("SELECT key, value FROM run_meta")
      .all()) {
      if (row.value !== null) meta.set(row.key, row.value);
    }
    return meta;
  }

  configRows(): ConfigRow[] {
    if (!this.#tables) return [];
    return this.#db
      .query<{ path: string; type_tag: string; value: string | null; updated_at: string }, []>(
        "SELECT path, type_tag, value, updated_at FROM configs ORDER BY rowid",
      )
      .all()
      .map((row) => ({
        path: row.path,
        typeTag: row.type_tag,
        text: row.value,
        updatedAt: row.updated_at,
      }));
  }

  config(path: string): { typeTag: string; text: string | null } | undefined {
    if (!this.#tables) return undefined;
    const row = this.#db
      .query<{ type_tag: string; value: string | null }, [string]>(
        "SELECT type_tag, value FROM configs WHERE path = ?",
      )
      .get(path);
    return row ? { typeTag: row.type_tag, text: row.value } : undefined;
  }

  metricPaths(): string[] {
    return this.#paths("metric_series", "metric_points");
  }

  stringPaths(): string[] {
    return this.#paths("string_series", "string_points");
  }

  #paths(series: string, points: string): string[] {
    if (!this.#tables) return [];
    return this.#db
      .query<{ path: string }, []>(
        `SELECT s.path AS path FROM ${series} s WHERE EXISTS (SELECT 1 FROM ${points} p WHERE p.series_id = s.id) ORDER BY s.path`,
      )
      .all()
      .map((row) => row.path);
  }

  /** Whether `path` is a config, or a series with at least one point. */
  exists(path: string): boolean {
    if (!this.#tables) return false;
    const row = this.#db
      .query<{ found: number }, [string, string, string]>(
        `SELECT EXISTS (SELECT 1 FROM configs WHERE path = ?1)
             OR EXISTS (SELECT 1 FROM metric_series s JOIN metric_points p ON p.series_id = s.id WHERE s.path = ?2)
             OR EXISTS (SELECT 1 FROM string_series s JOIN string_points p ON p.series_id = s.id WHERE s.path = ?3) AS found`,
      )
      .get(path, path, path);
    return row?.found === 1;
  }

  /** The config at `path`, else the last value (highest step) of its metric or string series. */
  get(path: string): ConfigValue | number | string | undefined {
    const config = this.config(path);
    if (config) return decodeConfigValue(config.typeTag, config.text);
    if (!this.#tables) return undefined;
    const metric = this.#db
      .query<{ y: number | string }, [string]>(
        "SELECT p.y AS y FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.path = ? ORDER BY p.step DESC LIMIT 1",
      )
      .get(path);
    if (metric) return readY(metric.y);
    const text = this.#db
      .query<{ value: string }, [string]>(
        "SELECT p.value AS value FROM string_points p JOIN string_series s ON s.id = p.series_id WHERE s.path = ? ORDER BY p.step DESC LIMIT 1",
      )
      .get(path);
    return text ? text.value : undefined;
  }

  metricData(path: string, query: MetricQuery = {}): MetricData {
    const rows = this.#metricRows(path, query);
    const maxPoints = query.maxPoints;
    if (maxPoints === undefined || rows.length <= maxPoints) {
      const rawPoints: MetricPoint[] = [];
      for (let i = 0; i < rows.length; i++)
        rawPoints.push({ step: rows.steps[i] as number, y: rows.ys[i] as number });
      return { path, downsampled: false, rawPoints };
    }
    const k = bucketSize(rows.length, Math.max(1, maxPoints));
    const buckets = bucketize(rows, 0, rows.length, k).map((bucket, index) => ({
      step: bucket.step,
      y: bucket.value,
      yMin: bucket.minY,
      yMax: bucket.maxY,
      stepMin: rows.steps[index * k] as number,
      stepMax: rows.steps[index * k + bucket.count - 1] as number,
      count: bucket.count,
    }));
    return { path, downsampled: true, buckets };
  }

  #metricRows(
    path: string,
    query: MetricQuery,
  ): { steps: number[]; ys: number[]; ts: number[]; length: number } {
    const steps: number[] = [];
    const ys: number[] = [];
    const ts: number[] = [];
    if (this.#tables) {
      const statement = this.#db.query<
        { step: number; y: number | string; ts: number },
        [string, number, number]
      >(
        "SELECT p.step AS step, p.y AS y, p.ts AS ts FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.path = ? AND p.step >= ? AND p.step <= ? ORDER BY p.step",
      );
      const low = query.stepMin ?? Number.NEGATIVE_INFINITY;
      const high = query.stepMax ?? Number.POSITIVE_INFINITY;
      for (const row of statement.iterate(path, low, high)) {
        steps.push(row.step);
        ys.push(readY(row.y));
        ts.push(row.ts);
      }
    }
    return { steps, ys, ts, length: steps.length };
  }

  stringData(path: string, query: StringQuery = {}): StringPoint[] {
    if (!this.#tables) return [];
    const limit = query.limit ?? -1;
    const offset = query.offset ?? 0;
    return this.#db
      .query<{ step: number; value: string; ts: number }, [string, number, number]>(
        "SELECT p.step AS step, p.value AS value, p.ts AS ts FROM string_points p JOIN string_series s ON s.id = p.series_id WHERE s.path = ? ORDER BY p.step LIMIT ? OFFSET ?",
      )
      .all(path, limit, offset)
      .map((row) => ({ step: row.step, value: row.value, timestampMs: row.ts * 1000 }));
  }

  /** Per series path, the step after its highest one: the auto-step to resume from. */
  nextSteps(): Map<string, number> {
    const next = new Map<string, number>();
    if (!this.#tables) return next;
    for (const [series, points] of [
      ["metric_series", "metric_points"],
      ["string_series", "string_points"],
    ] as const) {
      const rows = this.#db
        .query<{ path: string; top: number }, []>(
          `SELECT s.path AS path, MAX(p.step) AS top FROM ${points} p JOIN ${series} s ON s.id = p.series_id GROUP BY s.path`,
        )
        .all();
      for (const row of rows) next.set(row.path, Math.max(next.get(row.path) ?? 0, row.top + 1));
    }
    return next;
  }
}
