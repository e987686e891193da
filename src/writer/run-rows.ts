/**
 * The rows the sink writes into a run file (FORMAT.md §4), as statements prepared once
 * per file, and the rows that mark a run failed when the Worker ends it on a signal.
 */

import type { Database, Statement } from "bun:sqlite";

export class RunRows {
  readonly #db: Database;
  /** `(series_id, step, y, ts)`, not yet uploaded. */
  readonly insertMetric: Statement;
  /** `(series_id, step, value, ts)`, not yet uploaded. */
  readonly insertString: Statement;
  /** `(path, type_tag, value, updated_at)`, not yet uploaded. */
  readonly insertConfig: Statement;
  /** `(key, value)` of `run_meta`. */
  readonly setMeta: Statement;
  /** `(key)` of `run_meta`. */
  readonly deleteMeta: Statement;

  constructor(db: Database) {
    this.#db = db;
    this.insertMetric = db.query(
      "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.insertString = db.query(
      "INSERT OR REPLACE INTO string_points (series_id, step, value, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.insertConfig = db.query(
      "INSERT OR REPLACE INTO configs (path, type_tag, value, updated_at, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.setMeta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
    this.deleteMeta = db.query("DELETE FROM run_meta WHERE key = ?");
  }

  /** Appends `value` to the string series `seriesId`, after its last step. */
  appendString(seriesId: number, value: string, ts: number): void {
    const row = this.#db
      .query<{ next: number }, [number]>(
        "SELECT coalesce(max(step) + 1, 0) AS next FROM string_points WHERE series_id = ?",
      )
      .get(seriesId);
    this.insertString.run(seriesId, row?.next ?? 0, value, ts);
  }

  /** Marks the run failed and closed at `closedAt` (ISO time), in its meta and its `sys/` configs. */
  markFailed(closedAt: string): void {
    this.setMeta.run("status", "failed");
    this.setMeta.run("closed_at", closedAt);
    this.insertConfig.run("sys/state", "str", "failed", closedAt);
    this.insertConfig.run("sys/closed_time", "str", closedAt, closedAt);
  }
}
