/**
 * What the uploader sends, read from a run file: rows with `uploaded = 0`, as the
 * exact request bodies of FORMAT.md §12, and the optimistic marking of what was sent.
 * Fixes of §15.10: steps keep their fractions, non-finite numbers travel as the
 * strings "NaN", "Infinity" and "-Infinity", a long config is cut to exactly 10,000
 * characters, and points are read by rowid from a cursor instead of re-scanning.
 */

import type { Database } from "bun:sqlite";
import { pythonFloatRepr } from "../values/float-repr.ts";
import { pythonJsonString } from "../values/python-json.ts";

export const MAX_CONFIGS_PER_REQUEST = 1000;
export const MAX_POINTS_PER_READ = 5000;
export const MAX_BODY_BYTES = 16 * 2 ** 20;
export const MAX_CONFIG_CHARS = 10_000;
const TRUNCATION_MARK = "\n[truncated]";

export type PointKind = "metric" | "string";

export interface ConfigRow {
  readonly path: string;
  readonly typeTag: string;
  readonly value: string | null;
}

export interface PointRow {
  readonly rowid: number;
  readonly path: string;
  readonly seriesId: number;
  readonly step: number;
  /** REAL, the TEXT 'NaN' for metrics; the text for strings. */
  readonly value: number | string;
  readonly ts: number;
}

/** A number as JSON the way the protocol wants it: Python's repr, non-finite as strings. */
function numberJson(value: number): string {
  if (Number.isNaN(value)) return '"NaN"';
  if (!Number.isFinite(value)) return value > 0 ? '"Infinity"' : '"-Infinity"';
  return Number.isSafeInteger(value) ? String(value) : pythonFloatRepr(value);
}

export function truncateConfig(value: string): string {
  if (value.length <= MAX_CONFIG_CHARS) return value;
  return value.slice(0, MAX_CONFIG_CHARS - TRUNCATION_MARK.length) + TRUNCATION_MARK;
}

export function readConfigs(db: Database): ConfigRow[] {
  return db
    .query<{ path: string; type_tag: string; value: string | null }, []>(
      "SELECT path, type_tag, value FROM configs WHERE uploaded = 0 ORDER BY rowid",
    )
    .all()
    .map((row) => ({ path: row.path, typeTag: row.type_tag, value: row.value }));
}

export function configsBody(rows: readonly ConfigRow[]): string {
  const items = rows.map(
    (row) =>
      `{"path": ${pythonJsonString(row.path)}, "type_tag": ${pythonJsonString(row.typeTag)}, "value": ${
        row.value === null ? "null" : pythonJsonString(truncateConfig(row.value))
      }}`,
  );
  return `{"configs": [${items.join(", ")}]}`;
}

export function markConfigs(db: Database, rows: readonly ConfigRow[]): void {
  const mark = db.query(
    "UPDATE configs SET uploaded = 1 WHERE path = ? AND type_tag = ? AND value IS ?",
  );
  db.transaction(() => {
    for (const row of rows) mark.run(row.path, row.typeTag, row.value);
  }).immediate();
}

const TABLES = {
  metric: { points: "metric_points", series: "metric_series", column: "y" },
  string: { points: "string_points", series: "string_series", column: "value" },
} as const;

/**
 * Up to `limit` points not yet uploaded, from rowid `cursor` on. Rows rewritten since
 * they were uploaded get a new rowid at the end, so one cursor per table is enough.
 */
export function readPoints(
  db: Database,
  kind: PointKind,
  cursor: number,
  limit = MAX_POINTS_PER_READ,
): PointRow[] {
  const table = TABLES[kind];
  const rows = db
    .query(
      `SELECT p.rowid, s.path, p.series_id, p.step, p.${table.column}, p.ts FROM ${table.points} p JOIN ${table.series} s ON s.id = p.series_id WHERE p.rowid >= ? AND p.uploaded = 0 ORDER BY p.rowid LIMIT ?`,
    )
    .values(cursor, limit) as [number, string, number, number, number | string, number][];
  return rows.map(([rowid, path, seriesId, step, value, ts]) => ({
    rowid,
    path,
    seriesId,
    step,
    value,
    ts,
  }));
}

function pointJson(kind: PointKind, row: PointRow): string {
  const head = `{"path": ${pythonJsonString(row.path)}, "step": ${numberJson(row.step)}, "timestampMs": ${row.ts * 1000}`;
  if (kind === "string") return `${head}, "text": ${pythonJsonString(String(row.value))}}`;
  const number = typeof row.value === "number" ? row.value : Number(row.value);
  return `${head}, "number": ${numberJson(number)}}`;
}

/** Request bodies for `rows`, each under the size limit: `{"points": [...]}`. */
export function pointBodies(
  kind: PointKind,
  rows: readonly PointRow[],
): { body: string; rows: PointRow[] }[] {
  const bodies: { body: string; rows: PointRow[] }[] = [];
  let items: string[] = [];
  let batch: PointRow[] = [];
  let size = 0;
  const flush = () => {
    if (items.length === 0) return;
    bodies.push({ body: `{"points": [${items.join(", ")}]}`, rows: batch });
    items = [];
    batch = [];
    size = 0;
  };
  for (const row of rows) {
    const item = pointJson(kind, row);
    if (size + item.length + 2 > MAX_BODY_BYTES - 16) flush();
    items.push(item);
    batch.push(row);
    size += item.length + 2;
  }
  flush();
  return bodies;
}

/** Marks sent points uploaded, unless they were rewritten since (a different value or ts). */
export function markPoints(db: Database, kind: PointKind, rows: readonly PointRow[]): void {
  const table = TABLES[kind];
  const mark = db.query(
    `UPDATE ${table.points} SET uploaded = 1 WHERE rowid = ? AND series_id = ? AND step = ? AND ${table.column} IS ? AND ts = ?`,
  );
  db.transaction(() => {
    for (const row of rows) mark.run(row.rowid, row.seriesId, row.step, row.value, row.ts);
  }).immediate();
}

/** How many rows still wait for the upload. */
export function countPending(db: Database): number {
  const row = db
    .query<{ n: number }, []>(
      "SELECT (SELECT count(*) FROM configs WHERE uploaded = 0) + (SELECT count(*) FROM metric_points WHERE uploaded = 0) + (SELECT count(*) FROM string_points WHERE uploaded = 0) AS n",
    )
    .get();
  return row?.n ?? 0;
}

/** The run's status and closing time as its file holds them (`run_meta`). */
export function readEnding(db: Database): {
  status: string | undefined;
  closedAt: string | undefined;
} {
  const meta = new Map(
    db
      .query<{ key: string; value: string | null }, []>(
        "SELECT key, value FROM run_meta WHERE key IN ('status', 'closed_at')",
      )
      .all()
      .map((row) => [row.key, row.value]),
  );
  return { status: meta.get("status") ?? undefined, closedAt: meta.get("closed_at") ?? undefined };
}
