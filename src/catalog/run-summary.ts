/** A run's summary, as the run list shows it, and the one query that reads it. */

import type { Database } from "bun:sqlite";
import type { RunSummary } from "../api/wire.ts";

export type { RunSummary } from "../api/wire.ts";

/**
 * One query for a run's summary: its meta, and the paths of the series that have at
 * least one point (an index probe per series, never a walk over the points).
 */
const SUMMARY_SQL = `SELECT 0 AS kind, key AS name, value FROM run_meta
UNION ALL SELECT 1, s.path, NULL FROM metric_series s WHERE EXISTS (SELECT 1 FROM metric_points p WHERE p.series_id = s.id)
UNION ALL SELECT 2, s.path, NULL FROM string_series s WHERE EXISTS (SELECT 1 FROM string_points p WHERE p.series_id = s.id)
ORDER BY 1, 2`;

export function readSummary(db: Database, project: string, stem: string): RunSummary {
  const statement = db.prepare<[number, string, string | null], []>(SUMMARY_SQL);
  let rows: [number, string, string | null][];
  try {
    rows = statement.values() as [number, string, string | null][];
  } finally {
    statement.finalize();
  }
  const meta = new Map<string, string | null>();
  const metricPaths: string[] = [];
  const stringPaths: string[] = [];
  for (const [kind, name, value] of rows) {
    if (kind === 0) meta.set(name, value);
    else (kind === 1 ? metricPaths : stringPaths).push(name);
  }
  const text = (key: string): string | null => {
    const value = meta.get(key);
    return value === undefined || value === null || value === "" ? null : value;
  };
  return {
    project,
    run_id: text("run_id") ?? text("run_name") ?? stem,
    experiment_name: text("name") ?? text("experiment_name"),
    created_at: meta.get("created_at") ?? null,
    closed_at: meta.get("closed_at") ?? null,
    status: meta.get("status") ?? "unknown",
    trashed: meta.get("trashed") === "true",
    string_series_paths: stringPaths,
    metric_paths: metricPaths,
  };
}
