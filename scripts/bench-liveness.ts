/**
 * What judging a dead writer by the file's own signs of life costs (`fileSigns` in
 * `src/run/liveness.ts`: the newest point's time): it scans the points, which is why
 * the file store keeps a dead writer's verdict while the file does not change.
 * Prints milliseconds per call on a run of 1,000,000 metric points.
 *
 *   node_modules/.bin/bun scripts/bench-liveness.ts [points]
 */

import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileSigns } from "../src/run/liveness.ts";

const points = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "goodseed-bench-liveness-"));
try {
  const db = new Database(join(dir, "run.sqlite"));
  db.run("CREATE TABLE metric_points (series_id INTEGER, step REAL, y REAL, ts REAL)");
  db.run("CREATE TABLE string_points (series_id INTEGER, step REAL, value TEXT, ts REAL)");
  db.run("CREATE TABLE configs (path TEXT, type_tag TEXT, value TEXT, updated_at TEXT)");
  const insert = db.query("INSERT INTO metric_points VALUES (1, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < points; i++) insert.run(i, Math.sin(i), 1.7e9 + i / 100);
  })();
  const calls = 5;
  const started = performance.now();
  for (let k = 0; k < calls; k++) fileSigns(db, undefined);
  const each = (performance.now() - started) / calls;
  console.log(`fileSigns on ${points.toLocaleString("en")} points: ${each.toFixed(1)} ms a call`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
