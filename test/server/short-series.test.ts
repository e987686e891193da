/**
 * Metric series of finished runs with short tables (a sweep's runs): the first
 * request for any series decodes the whole table from its pages, so the other charts
 * of the same run are answered from memory, and every answer is exactly what SQLite
 * gives for the same run while it is still being written.
 */

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { appFor, request } from "../helpers/server.ts";
import { tempDir } from "../helpers/temp-dir.ts";

const STEPS = 3000;

/** A finished run of a few thousand rows: three series, special values, steps out of order. */
async function writeShortRun(home: string): Promise<string> {
  const run = localRun(home, { project: "sweep/a", runId: "short" });
  for (let step = 0; step < STEPS; step++) {
    const loss =
      step === 7 ? Number.NaN : step === 8 ? Number.POSITIVE_INFINITY : 1 / (step + 1) - 2 ** 40;
    run.logMetrics({ "train/loss": loss, "train/lr": step * 1e-7 }, { step });
  }
  for (let step = 300; step >= 0; step--) run.log("val/acc", step / 300, { step: step * 10 });
  run.log("train/loss", 42, { step: 10 });
  await run.close();
  return join(home, "projects/sweep/a/runs/short.sqlite");
}

/** A copy of `file` as project `project`, with a rewrite held in its WAL by an open writer. */
function liveCopy(projects: string, file: string, project: string): Database {
  const dir = join(projects, project, "runs");
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, join(dir, "short.sqlite"));
  const edit =
    "UPDATE metric_points SET y = 7 WHERE step = 2990 AND series_id = (SELECT id FROM metric_series WHERE path = 'train/loss')";
  const db = new Database(join(dir, "short.sqlite"));
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA wal_autocheckpoint = 0");
  db.run(edit);
  const finished = new Database(file);
  finished.run(edit);
  finished.close();
  return db;
}

const QUERIES = [
  "path=train/loss",
  "path=train/loss&pointCount=100",
  "path=train/loss&pointCount=7&firstPointIndex=5&lastPointIndex=2000",
  "path=train/lr&pointCount=333",
  "path=val/acc",
  "path=val/acc&pointCount=10",
];

describe("short metric tables of finished runs", () => {
  it("are decoded whole at the first request, and answer exactly as through SQLite", async () => {
    await using dir = tempDir();
    const file = await writeShortRun(dir.path);
    const projects = join(dir.path, "projects");
    const live = liveCopy(projects, file, "sweep/live");
    try {
      await using app = appFor(projects);
      const sources = async (project: string) => {
        const seen: string[] = [];
        for (const path of ["train/lr", "train/loss", "val/acc"]) {
          const response = await request(
            app,
            `/api/runs/${project}/short/metrics?path=${path}&pointCount=10`,
          );
          seen.push(/desc="([^"]+)"/.exec(response.headers.get("server-timing") ?? "")?.[1] ?? "");
        }
        return seen;
      };
      expect(await sources("sweep/a")).toEqual(["pages", "memory", "memory"]);
      expect(await sources("sweep/live")).toEqual(["sqlite", "sqlite", "sqlite"]);
      for (const query of QUERIES) {
        const finished = await request(app, `/api/runs/sweep/a/short/metrics?${query}`);
        const written = await request(app, `/api/runs/sweep/live/short/metrics?${query}`);
        expect(finished.status).toBe(200);
        expect(finished.text.length).toBeGreaterThan(100);
        if (finished.text !== written.text) throw new Error(`${query}: the bodies differ`);
      }
      const loss = (await request(app, "/api/runs/sweep/a/short/metrics?path=train/loss")).body
        .metrics as { step: number; value: number | string }[];
      expect(loss).toHaveLength(STEPS);
      expect(loss.slice(7, 11).map((point) => point.value)).toEqual([
        "NaN",
        "Infinity",
        1 / 10 - 2 ** 40,
        42,
      ]);
      expect(loss[2990]?.value).toBe(7);
      const acc = (await request(app, "/api/runs/sweep/a/short/metrics?path=val/acc")).body
        .metrics as { step: number }[];
      expect(acc.map((point) => point.step)).toEqual(Array.from({ length: 301 }, (_, i) => i * 10));
    } finally {
      live.close();
    }
  });
});
