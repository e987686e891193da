/**
 * The reads of one run file behind the per-run routes: configs, metric paths, string
 * pages. Points are joined to their series (orphans ignored) and ordered by SQLite's
 * BINARY collation, which is UTF-8 byte order.
 */

import type { Database } from "bun:sqlite";
import type {
  StoredConfigValue,
  StringPage,
  StringPageQuery,
  StringRow,
} from "../api/read-store.ts";
import type { FileVersion } from "../storage/connection-pool.ts";
import { decodeConfigForApi } from "./config-json.ts";

export function readConfigs(db: Database): Map<string, StoredConfigValue> {
  const rows = db
    .query<{ path: string; type_tag: string; value: string | null }, []>(
      "SELECT path, type_tag, value FROM configs ORDER BY rowid",
    )
    .values() as [string, string, string | null][];
  const configs = new Map<string, StoredConfigValue>();
  for (const [path, tag, value] of rows) configs.set(path, decodeConfigForApi(tag, value));
  return configs;
}

export function seriesId(
  db: Database,
  table: "metric_series" | "string_series",
  path: string,
): number | undefined {
  const row = db
    .query<{ id: number }, [string]>(`SELECT id FROM ${table} WHERE path = ?`)
    .get(path);
  return row?.id;
}

/** The metric series that have points, by path: id and path. */
export function metricSeriesWithPoints(db: Database): [number, string][] {
  return db
    .query<{ id: number; path: string }, []>(
      "SELECT s.id, s.path FROM metric_series s WHERE EXISTS (SELECT 1 FROM metric_points p WHERE p.series_id = s.id) ORDER BY s.path",
    )
    .values() as [number, string][];
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

type Row = [string, number, string, number];

export function readStringPage(
  db: Database,
  file: string,
  version: FileVersion,
  request: StringPageQuery,
): StringPage {
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
  let rows: Row[];
  const columns = "SELECT s.path, p.step, p.value, p.ts";
  if (request.tail !== undefined) {
    const order = byPath ? "p.step DESC" : "s.path DESC, p.step DESC";
    rows = (
      db
        .query(`${columns} ${from} ${where} ORDER BY ${order} LIMIT ?`)
        .values(...params, request.tail) as Row[]
    ).reverse();
  } else {
    const order = byPath ? "p.step" : "s.path, p.step";
    rows =
      request.limit !== undefined
        ? (db
            .query(`${columns} ${from} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
            .values(...params, request.limit, request.offset ?? 0) as Row[])
        : (db.query(`${columns} ${from} ${where} ORDER BY ${order}`).values(...params) as Row[]);
  }
  return {
    rows: rows.map(([path, step, value, ts]): StringRow => ({ path, step, value, ts })),
    total,
  };
}
