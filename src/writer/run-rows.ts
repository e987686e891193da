/**
 * The rows the sink writes into a run file (FORMAT.md §4), through statements
 * prepared once per file: the records of the ring, the Worker's own console lines and
 * hardware samples, and the rows that mark a run failed when the Worker ends it on a
 * signal. The transaction around them is the sink's.
 */

import type { Database, Statement } from "bun:sqlite";
import { SeriesKind } from "../queue/layout.ts";
import type { ConfigRecord, StringPointRecord } from "../queue/op-codec.ts";
import type { SeriesIds } from "./series-ids.ts";

/** A console line cut by the Worker, for the string series at `path`. */
export interface ConsoleLine {
  readonly path: string;
  readonly step: number;
  readonly line: string;
}

export class RunRows {
  readonly #db: Database;
  readonly #ids: SeriesIds;
  readonly #insertMetric: Statement;
  readonly #insertString: Statement;
  readonly #insertConfig: Statement;
  readonly #setMeta: Statement;
  readonly #deleteMeta: Statement;

  constructor(db: Database, ids: SeriesIds) {
    this.#db = db;
    this.#ids = ids;
    this.#insertMetric = db.query(
      "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#insertString = db.query(
      "INSERT OR REPLACE INTO string_points (series_id, step, value, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#insertConfig = db.query(
      "INSERT OR REPLACE INTO configs (path, type_tag, value, updated_at, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#setMeta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
    this.#deleteMeta = db.query("DELETE FROM run_meta WHERE key = ?");
  }

  /** String points of the series their slots name. */
  strings(points: readonly StringPointRecord[], ts: number): void {
    for (const point of points)
      this.#insertString.run(this.#ids.of(point.slot), point.step, point.value, ts);
  }

  configs(entries: readonly ConfigRecord[], updatedAt: string): void {
    for (const entry of entries)
      this.#insertConfig.run(entry.path, entry.tag, entry.text, updatedAt);
  }

  /** Sets a `run_meta` key, or deletes it when `value` is undefined. */
  meta(key: string, value: string | undefined): void {
    if (value !== undefined) this.#setMeta.run(key, value);
    else this.#deleteMeta.run(key);
  }

  consoleLines(lines: readonly ConsoleLine[], ts: number): void {
    for (const { path, step, line } of lines) {
      this.#insertString.run(this.#ids.pathId(SeriesKind.STRING, path), step, line, ts);
    }
  }

  /** Hardware metrics of sample `step`, each under `namespace` (NaN stored as the text "NaN"). */
  hardware(
    namespace: string,
    step: number,
    entries: readonly (readonly [string, number])[],
    ts: number,
  ): void {
    for (const [key, value] of entries) {
      const id = this.#ids.pathId(SeriesKind.METRIC, `${namespace}/${key}`);
      this.#insertMetric.run(id, step, Number.isNaN(value) ? "NaN" : value, ts);
    }
  }

  /** Appends `value` to the string series `path`, after its last step. */
  appendString(path: string, value: string, ts: number): void {
    const seriesId = this.#ids.pathId(SeriesKind.STRING, path);
    const row = this.#db
      .query<{ next: number }, [number]>(
        "SELECT coalesce(max(step) + 1, 0) AS next FROM string_points WHERE series_id = ?",
      )
      .get(seriesId);
    this.#insertString.run(seriesId, row?.next ?? 0, value, ts);
  }

  /** Marks the run failed and closed at `closedAt` (ISO time), in its meta and its `sys/` configs. */
  markFailed(closedAt: string): void {
    this.#setMeta.run("status", "failed");
    this.#setMeta.run("closed_at", closedAt);
    this.#insertConfig.run("sys/state", "str", "failed", closedAt);
    this.#insertConfig.run("sys/closed_time", "str", closedAt, closedAt);
  }
}
