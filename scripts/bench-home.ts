/**
 * The large home the serve and UI benchmarks share: `runs` small runs in ten projects
 * and one run (bench/big:huge) with a `points`-point metric series and `strings`
 * string entries, written straight in the run-file format; and a `goodseed serve`
 * process over it.
 */

import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { applyWriterPragmas, ensureSchema } from "../src/storage/schema.ts";

export interface BenchHome {
  runs: number;
  points: number;
  strings: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000+00:00");
}

function writeRun(
  file: string,
  runId: string,
  project: string,
  createdMs: number,
  fill: (db: Database) => void,
): void {
  const db = new Database(file, { create: true, strict: true });
  applyWriterPragmas(db);
  ensureSchema(db);
  db.transaction(() => {
    const meta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
    meta.run("run_id", runId);
    meta.run("project", project);
    meta.run("created_at", iso(createdMs));
    meta.run("status", "finished");
    meta.run("name", `Run ${runId}`);
    meta.run("closed_at", iso(createdMs + 60_000));
    const config = db.query(
      "INSERT INTO configs (path, type_tag, value, updated_at) VALUES (?, ?, ?, ?)",
    );
    config.run("sys/id", "str", runId, iso(createdMs));
    config.run("parameters/lr", "float", "0.001", iso(createdMs));
    fill(db);
  })();
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

export function buildHome(
  dir: string,
  { runs: RUNS, points: POINTS, strings: STRINGS }: BenchHome,
): void {
  mkdirSync(dir, { recursive: true });
  const projects = join(dir, "projects");
  const start = Date.UTC(2026, 0, 1);
  const template = join(dir, "template.sqlite");
  writeRun(template, "template", "bench/small", start, (db) => {
    db.run("INSERT INTO metric_series (path) VALUES ('train/loss'), ('train/acc')");
    db.run("INSERT INTO string_series (path) VALUES ('log')");
    const point = db.query(
      "INSERT INTO metric_points (series_id, step, y, ts) VALUES (?, ?, ?, ?)",
    );
    for (let step = 0; step < 20; step++) {
      point.run(1, step, 1 / (step + 1), 1767225600);
      point.run(2, step, step / 20, 1767225600);
    }
    db.run(
      "INSERT INTO string_points (series_id, step, value, ts) VALUES (1, 0, 'hello', 1767225600)",
    );
  });
  for (let i = 0; i < RUNS; i++) {
    const project = `bench/group-${i % 10}`;
    const runsDir = join(projects, project, "runs");
    mkdirSync(runsDir, { recursive: true });
    const runId = `run-${String(i).padStart(5, "0")}`;
    const file = join(runsDir, `${runId}.sqlite`);
    copyFileSync(template, file);
    const db = new Database(file, { strict: true });
    db.run("UPDATE run_meta SET value = ? WHERE key = 'run_id'", [runId]);
    db.run("UPDATE run_meta SET value = ? WHERE key = 'project'", [project]);
    db.run("UPDATE run_meta SET value = ? WHERE key = 'created_at'", [iso(start + i * 1000)]);
    db.close();
  }
  rmSync(template);
  const bigDir = join(projects, "bench/big", "runs");
  mkdirSync(bigDir, { recursive: true });
  writeRun(join(bigDir, "huge.sqlite"), "huge", "bench/big", start + RUNS * 1000, (db) => {
    db.run("INSERT INTO metric_series (path) VALUES ('train/loss')");
    db.run("INSERT INTO string_series (path) VALUES ('log/lines')");
    const rows = 100;
    const insert = db.query(
      `INSERT INTO metric_points (series_id, step, y, ts) VALUES ${new Array(rows).fill("(1, ?, ?, ?)").join(", ")}`,
    );
    const args: number[] = new Array(rows * 3);
    for (let base = 0; base < POINTS; base += rows) {
      for (let j = 0; j < rows; j++) {
        const step = base + j;
        args[3 * j] = step;
        args[3 * j + 1] = Math.exp(-step / POINTS) + 0.05 * Math.sin(step);
        args[3 * j + 2] = 1767225600 + Math.floor(step / 1000);
      }
      insert.run(...args);
    }
    const text = db.query(
      "INSERT INTO string_points (series_id, step, value, ts) VALUES (1, ?, ?, ?)",
    );
    for (let step = 0; step < STRINGS; step++)
      text.run(
        step,
        `[${step}] epoch=${step >> 10} loss=${(1 / (step + 1)).toFixed(6)}`,
        1767225600,
      );
  });
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = server.port as number;
  await server.stop(true);
  return port;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Starts `goodseed serve` (from source: this checkout's, or the one of `bin`) over
 * `projectsDir`; resolves once it answers.
 */
export async function startServer(
  projectsDir: string,
  bin = join(import.meta.dir, "../bin/goodseed.ts"),
): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const server = Bun.spawn([process.execPath, bin, "serve", projectsDir, "--port", String(port)], {
    stdout: "ignore",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  for (;;) {
    try {
      await fetch(`${base}/api/none`);
      break;
    } catch {
      if (performance.now() - startedAt > 20_000) {
        server.kill();
        throw new Error("the server did not start");
      }
      await Bun.sleep(10);
    }
  }
  return {
    base,
    stop: async () => {
      server.kill();
      await server.exited;
    },
  };
}
