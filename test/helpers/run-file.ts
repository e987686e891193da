/** Reading run files directly with SQLite, as any other reader of the format would. */

import { Database } from "bun:sqlite";

export interface FileContents {
  meta: Record<string, string>;
  configs: {
    path: string;
    type_tag: string;
    value: string | null;
    updated_at: string;
    uploaded: number;
  }[];
  metrics: { path: string; step: number; y: number | string; ts: number }[];
  strings: { path: string; step: number; value: string; ts: number }[];
}

export function readRunFile(file: string): FileContents {
  const db = new Database(file, { readonly: true });
  // A writer in another process may hold the file for a moment (a commit, WAL recovery).
  db.run("PRAGMA busy_timeout = 10000");
  try {
    const meta: Record<string, string> = {};
    for (const row of db
      .query<{ key: string; value: string }, []>("SELECT key, value FROM run_meta")
      .all()) {
      meta[row.key] = row.value;
    }
    return {
      meta,
      configs: db
        .query<FileContents["configs"][number], []>(
          "SELECT path, type_tag, value, updated_at, uploaded FROM configs ORDER BY rowid",
        )
        .all(),
      metrics: db
        .query<FileContents["metrics"][number], []>(
          "SELECT s.path AS path, p.step AS step, p.y AS y, p.ts AS ts FROM metric_points p JOIN metric_series s ON s.id = p.series_id ORDER BY s.path, p.step",
        )
        .all(),
      strings: db
        .query<FileContents["strings"][number], []>(
          "SELECT s.path AS path, p.step AS step, p.value AS value, p.ts AS ts FROM string_points p JOIN string_series s ON s.id = p.series_id ORDER BY s.path, p.step",
        )
        .all(),
    };
  } finally {
    db.close();
  }
}

export function configOf(
  contents: FileContents,
  path: string,
): { type_tag: string; value: string | null } | undefined {
  return contents.configs.find((row) => row.path === path);
}

export function seriesOf(
  contents: FileContents,
  path: string,
): { step: number; y: number | string }[] {
  return contents.metrics.filter((row) => row.path === path).map(({ step, y }) => ({ step, y }));
}
