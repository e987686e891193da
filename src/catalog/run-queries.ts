/**
 * The queries behind the per-run endpoints, each returning the JSON body as text.
 * Points are joined to their series (orphans ignored) and ordered by SQLite's BINARY
 * collation, which is UTF-8 byte order.
 */

import type { Database } from "bun:sqlite";
import type { SeriesCache, SeriesTrace } from "../series/series-cache.ts";
import type { SeriesColumns } from "../series/series-loader-protocol.ts";
import { jsonNumber, jsonValue } from "../server/json.ts";
import type { FileVersion } from "../storage/connection-pool.ts";
import { bucketize, bucketSize } from "../storage/downsample.ts";
import { readY } from "../storage/run-reader.ts";
import { isoFromSeconds } from "../values/time.ts";
import { decodeConfigForApi } from "./config-json.ts";

/** What a query needs besides its connection: the file, its version and the series cache. */
export interface QueryContext {
  readonly db: Database;
  readonly file: string;
  readonly version: FileVersion;
  readonly series: SeriesCache;
  /** Filled in by reads of the series cache. */
  readonly trace: SeriesTrace;
}

/** `logged_at` texts, cached: consecutive points mostly share their second. */
class LoggedAt {
  #ts = Number.NaN;
  #text = "";
  json(ts: number): string {
    if (ts !== this.#ts) {
      this.#ts = ts;
      this.#text = `"${isoFromSeconds(ts)}"`;
    }
    return this.#text;
  }
}

export function configsBody({ db }: QueryContext): string {
  const rows = db
    .query<{ path: string; type_tag: string; value: string | null }, []>(
      "SELECT path, type_tag, value FROM configs ORDER BY rowid",
    )
    .values() as [string, string, string | null][];
  const parts: string[] = [];
  for (const [path, tag, value] of rows)
    parts.push(`${JSON.stringify(path)}: ${jsonValue(decodeConfigForApi(tag, value))}`);
  return `{"configs": {${parts.join(", ")}}}`;
}

function seriesId(
  db: Database,
  table: "metric_series" | "string_series",
  path: string,
): number | undefined {
  const row = db
    .query<{ id: number }, [string]>(`SELECT id FROM ${table} WHERE path = ?`)
    .get(path);
  return row?.id;
}

export function metricPathsBody({ db }: QueryContext): string {
  const paths = db
    .query<{ path: string }, []>(
      "SELECT s.path AS path FROM metric_series s WHERE EXISTS (SELECT 1 FROM metric_points p WHERE p.series_id = s.id) ORDER BY s.path",
    )
    .values()
    .map((row) => row[0] as string);
  return `{"paths": ${JSON.stringify(paths)}}`;
}

/** A string as JSON with every non-ASCII character escaped as `\\uXXXX`. */
function asciiJson(text: string): string {
  return JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Points per chunk of a streamed body. */
const CHUNK = 8192;

/**
 * The raw points of one series, streamed in chunks: a million points are about
 * 110 MB of JSON, which is sent while it is being written instead of after.
 */
function streamSeries(pathJson: string, columns: SeriesColumns): ReadableStream<Uint8Array> {
  const { steps, ys, ts, length } = columns;
  const loggedAt = new LoggedAt();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const end = Math.min(length, next + CHUNK);
      let text = next === 0 ? '{"metrics": [' : "";
      for (let i = next; i < end; i++) {
        text += `${i === 0 ? "" : ", "}{"path": ${pathJson}, "step": ${steps[i]}, "value": ${jsonNumber(ys[i] as number)}, "logged_at": ${loggedAt.json(ts[i] as number)}}`;
      }
      next = end;
      if (next >= length) text += "]}";
      // Every character is ASCII (the path is escaped), so latin1 is UTF-8 here, and
      // it is several times cheaper to encode.
      controller.enqueue(Buffer.from(text, "latin1"));
      if (next >= length) controller.close();
    },
  });
}

/** Raw points: one series by step, or every series by path then step. */
export async function rawMetricsBody(
  context: QueryContext,
  path: string | undefined,
): Promise<string | ReadableStream<Uint8Array>> {
  const { db } = context;
  if (path !== undefined) {
    const id = seriesId(db, "metric_series", path);
    if (id === undefined) return '{"metrics": []}';
    return streamSeries(
      asciiJson(path),
      await context.series.get(db, context.file, context.version, id, context.trace),
    );
  }
  const parts: string[] = [];
  const loggedAt = new LoggedAt();
  const rows = db
    .query<unknown, []>(
      "SELECT s.path, p.step, p.y, p.ts FROM metric_points p JOIN metric_series s ON s.id = p.series_id ORDER BY s.path, p.step",
    )
    .values() as [string, number, number | string, number][];
  let lastPath: string | undefined;
  let pathJson = "";
  for (const [rowPath, step, y, ts] of rows) {
    if (rowPath !== lastPath) {
      lastPath = rowPath;
      pathJson = JSON.stringify(rowPath);
    }
    parts.push(
      `{"path": ${pathJson}, "step": ${step}, "value": ${jsonNumber(readY(y))}, "logged_at": ${loggedAt.json(ts)}}`,
    );
  }
  return `{"metrics": [${parts.join(", ")}]}`;
}

export interface DownsampleRequest {
  readonly path: string;
  readonly pointCount: number;
  readonly first: number | undefined;
  readonly last: number | undefined;
}

/** The bucketed series of FORMAT.md §11, with its bookends and echoed indices. */
export async function downsampledBody(
  context: QueryContext,
  request: DownsampleRequest,
): Promise<string> {
  const id = seriesId(context.db, "metric_series", request.path);
  const columns =
    id === undefined
      ? undefined
      : await context.series.get(context.db, context.file, context.version, id, context.trace);
  const total = columns?.length ?? 0;
  const envelope = (points: string[], f: number, l: number, downsampled: boolean) =>
    `{"points": [${points.join(", ")}], "firstPointIndex": ${f}, "lastPointIndex": ${l}, "totalCount": ${total}, "downsampled": ${downsampled}}`;
  if (columns === undefined || total === 0) return envelope([], 0, 0, false);
  const f = request.first === undefined ? 0 : Math.max(0, request.first);
  const l = request.last === undefined ? total - 1 : Math.min(total - 1, request.last);
  if (f > l) return envelope([], f, l, false);

  const { steps, ys, ts } = columns;
  const count = l - f + 1;
  const pathJson = JSON.stringify(request.path);
  const loggedAt = new LoggedAt();
  const raw = (i: number) => {
    const y = jsonNumber(ys[i] as number);
    return `{"path": ${pathJson}, "step": ${steps[i]}, "value": ${y}, "minY": ${y}, "maxY": ${y}, "downsampled": false, "logged_at": ${loggedAt.json(ts[i] as number)}}`;
  };
  if (count <= request.pointCount) {
    const points: string[] = [];
    for (let i = f; i <= l; i++) points.push(raw(i));
    return envelope(points, f, l, false);
  }
  const buckets = bucketize(columns, f, l + 1, bucketSize(count, request.pointCount));
  const points = buckets.map(
    (bucket) =>
      `{"path": ${pathJson}, "step": ${bucket.step}, "value": ${jsonNumber(bucket.value)}, "minY": ${jsonNumber(bucket.minY)}, "maxY": ${jsonNumber(bucket.maxY)}, "downsampled": true, "logged_at": ${loggedAt.json(bucket.ts)}}`,
  );
  if ((buckets[0] as { step: number }).step !== steps[f]) points.unshift(raw(f));
  if ((buckets[buckets.length - 1] as { step: number }).step !== steps[l]) points.push(raw(l));
  return envelope(points, f, l, true);
}

export interface StringRequest {
  readonly path: string | undefined;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly tail: number | undefined;
}

/** Row counts of string series per file version: counting 100,000 rows takes milliseconds. */
const stringTotals = new Map<string, number>();

/** Rows of other series, past which counting one series' own rows is cheaper. */
const COMPLEMENT_LIMIT = 4096;

/**
 * The points of string series `id`, counted as all rows of the table (which SQLite
 * counts from its pages' cell counts, not row by row) less the rows with a smaller
 * or larger series id, when those are few: a console of 100,000 lines is then
 * counted in a millisecond instead of four. Undefined when the others are many.
 */
function countByComplement(db: Database, id: number): number | undefined {
  const row = db
    .query<{ total: number; below: number; above: number }, [number, number, number, number]>(
      `SELECT (SELECT count(*) FROM string_points) AS total,
        (SELECT count(*) FROM (SELECT 1 FROM string_points WHERE series_id < ? LIMIT ?)) AS below,
        (SELECT count(*) FROM (SELECT 1 FROM string_points WHERE series_id > ? LIMIT ?)) AS above`,
    )
    .get(id, COMPLEMENT_LIMIT, id, COMPLEMENT_LIMIT);
  if (!row || row.below >= COMPLEMENT_LIMIT || row.above >= COMPLEMENT_LIMIT) return undefined;
  return row.total - row.below - row.above;
}

/** Points of string series `path`, or of every string series. */
function stringPointCount(db: Database, path: string | undefined): number {
  const count = (sql: string, ...params: number[]) =>
    db.query<{ n: number }, number[]>(sql).get(...params)?.n ?? 0;
  if (path === undefined)
    return count(
      "SELECT count(*) AS n FROM string_points p JOIN string_series s ON s.id = p.series_id",
    );
  const id = seriesId(db, "string_series", path);
  if (id === undefined) return 0;
  return (
    countByComplement(db, id) ??
    count("SELECT count(*) AS n FROM string_points WHERE series_id = ?", id)
  );
}

export function stringSeriesBody(
  { db, file, version }: QueryContext,
  request: StringRequest,
): string {
  const byPath = request.path !== undefined;
  const where = byPath ? "WHERE s.path = ?" : "";
  const from = "FROM string_points p JOIN string_series s ON s.id = p.series_id";
  const params: (string | number)[] = byPath ? [request.path as string] : [];
  const totalKey = `${file}\u0000${version.key}\u0000${byPath ? `=${request.path}` : "*"}`;
  let total = stringTotals.get(totalKey);
  if (total === undefined) {
    total = stringPointCount(db, request.path);
    if (stringTotals.size >= 1024) stringTotals.delete(stringTotals.keys().next().value as string);
    stringTotals.set(totalKey, total);
  }
  let rows: [string, number, string, number][];
  const columns = "SELECT s.path, p.step, p.value, p.ts";
  if (request.tail !== undefined) {
    const order = byPath ? "p.step DESC" : "s.path DESC, p.step DESC";
    rows = (
      db
        .query(`${columns} ${from} ${where} ORDER BY ${order} LIMIT ?`)
        .values(...params, request.tail) as [string, number, string, number][]
    ).reverse();
  } else {
    const order = byPath ? "p.step" : "s.path, p.step";
    if (request.limit !== undefined) {
      rows = db
        .query(`${columns} ${from} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
        .values(...params, request.limit, request.offset ?? 0) as [
        string,
        number,
        string,
        number,
      ][];
    } else {
      rows = db.query(`${columns} ${from} ${where} ORDER BY ${order}`).values(...params) as [
        string,
        number,
        string,
        number,
      ][];
    }
  }
  const loggedAt = new LoggedAt();
  const parts = rows.map(
    ([path, step, value, ts]) =>
      `{"path": ${JSON.stringify(path)}, "step": ${step}, "value": ${JSON.stringify(value)}, "logged_at": ${loggedAt.json(ts)}}`,
  );
  return `{"string_series": [${parts.join(", ")}], "total": ${total}}`;
}
