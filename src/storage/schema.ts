/**
 * The run file's schema and connection settings, byte for byte as the Python client
 * 0.4.0 creates them (FORMAT.md §2), so `sqlite_master` is identical in both.
 */

import type { Database } from "bun:sqlite";

// The whitespace inside each statement is the peer's: SQLite stores the text as given
// (minus `IF NOT EXISTS`), and files from both clients should compare equal.
const TABLES = [
  `CREATE TABLE IF NOT EXISTS run_meta (
            key TEXT PRIMARY KEY,
            value TEXT
        )`,
  `CREATE TABLE IF NOT EXISTS configs (
            path TEXT PRIMARY KEY,
            type_tag TEXT NOT NULL,
            value TEXT,
            updated_at TEXT NOT NULL,
            uploaded INTEGER NOT NULL DEFAULT 0
        )`,
  `CREATE TABLE IF NOT EXISTS metric_series (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL UNIQUE
        )`,
  `CREATE TABLE IF NOT EXISTS metric_points (
            series_id INTEGER NOT NULL REFERENCES metric_series(id),
            step REAL NOT NULL,
            y REAL NOT NULL,
            ts INTEGER NOT NULL,
            uploaded INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (series_id, step)
        )`,
  `CREATE TABLE IF NOT EXISTS string_series (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL UNIQUE
        )`,
  `CREATE TABLE IF NOT EXISTS string_points (
            series_id INTEGER NOT NULL REFERENCES string_series(id),
            step REAL NOT NULL,
            value TEXT NOT NULL,
            ts INTEGER NOT NULL,
            uploaded INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (series_id, step)
        )`,
];

/** Settings of the one writing connection of a run. */
export function applyWriterPragmas(db: Database): void {
  db.run("PRAGMA journal_mode=WAL");
  db.run("PRAGMA synchronous=NORMAL");
  db.run("PRAGMA busy_timeout=5000");
  db.run("PRAGMA temp_store=MEMORY");
  db.run("PRAGMA cache_size=-4000");
}

/** Creates the tables when missing and records `schema_version`, in one transaction. */
export function ensureSchema(db: Database): void {
  db.transaction(() => {
    for (const statement of TABLES) db.run(statement);
    db.run("INSERT OR IGNORE INTO run_meta (key, value) VALUES ('schema_version', '1')");
  })();
}

/** Whether the file has the tables of a run (a reader's check before querying). */
export function hasRunTables(db: Database): boolean {
  const row = db
    .query<{ n: number }, []>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('run_meta', 'configs', 'metric_series', 'metric_points', 'string_series', 'string_points')",
    )
    .get();
  return row?.n === 6;
}
