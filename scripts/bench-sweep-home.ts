/**
 * A sweep project for the UI benchmark: `runs` runs of `bench/sweep`, each with six
 * configs that vary (lr, batch size, optimizer, dropout, layers, seed) and a
 * `val/loss` series of 20 points, written straight in the run-file format.
 */

import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { applyWriterPragmas, ensureSchema } from "../src/storage/schema.ts";

export const SWEEP_PROJECT = "bench/sweep";

export function buildSweepProject(dir: string, runs: number): void {
  const runsDir = join(dir, "projects", SWEEP_PROJECT, "runs");
  mkdirSync(runsDir, { recursive: true });
  const template = join(dir, "sweep-template.sqlite");
  const db = new Database(template, { create: true, strict: true });
  applyWriterPragmas(db);
  ensureSchema(db);
  db.transaction(() => {
    const meta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
    for (const [key, value] of [
      ["run_id", "template"],
      ["project", SWEEP_PROJECT],
      ["created_at", "2026-01-01T00:00:00.000000+00:00"],
      ["status", "finished"],
      ["closed_at", "2026-01-01T00:10:00.000000+00:00"],
    ])
      meta.run(key as string, value as string);
    db.run("INSERT INTO metric_series (path) VALUES ('val/loss')");
  })();
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const lrs = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2];
  for (let i = 0; i < runs; i++) {
    const runId = `sweep-${String(i).padStart(4, "0")}`;
    const file = join(runsDir, `${runId}.sqlite`);
    copyFileSync(template, file);
    const run = new Database(file, { strict: true });
    const lr = lrs[i % lrs.length] as number;
    const configs: [string, string, string][] = [
      ["sys/id", "str", runId],
      ["parameters/lr", "float", String(lr)],
      ["parameters/batch_size", "int", String(32 << (i % 4))],
      ["parameters/optimizer", "str", ["adam", "sgd", "adamw"][i % 3] as string],
      ["parameters/dropout", "float", String((i % 5) / 10)],
      ["parameters/layers", "int", String(2 + (i % 7))],
      ["parameters/seed", "int", String(i % 11)],
    ];
    run.transaction(() => {
      run.run("UPDATE run_meta SET value = ? WHERE key = 'run_id'", [runId]);
      const created = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      run.run("UPDATE run_meta SET value = ? WHERE key = 'created_at'", [
        created.replace("Z", "000+00:00"),
      ]);
      const config = run.query(
        "INSERT INTO configs (path, type_tag, value, updated_at) VALUES (?, ?, ?, '2026-01-01T00:00:00+00:00')",
      );
      for (const [path, tag, value] of configs) config.run(path, tag, value);
      const point = run.query(
        "INSERT INTO metric_points (series_id, step, y, ts) VALUES (1, ?, ?, 1767225600)",
      );
      const floor = 0.1 + Math.abs(Math.log10(lr) + 3) / 5 + ((i * 7919) % 100) / 1000;
      for (let step = 0; step < 20; step++) point.run(step, floor + 2 / (step + 1));
    })();
    run.close();
  }
  rmSync(template);
}
