/**
 * Speed of `goodseed serve` on a large home: 5,000 small runs and one run with a
 * 1,000,000-point metric series and 100,000 string entries.
 *
 *   bun scripts/bench-serve.ts [--runs 5000] [--points 1000000] [--keep <dir>]
 *
 * The server runs as its own process (`bin/goodseed.ts serve`), the requests come
 * from this one over loopback. Prints median latencies (first request and repeated)
 * and requests/s with 8 concurrent clients.
 */

import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { applyWriterPragmas, ensureSchema } from "../src/storage/schema.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5000" },
    points: { type: "string", default: "1000000" },
    strings: { type: "string", default: "100000" },
    keep: { type: "string" },
  },
});
const RUNS = Number(values.runs);
const POINTS = Number(values.points);
const STRINGS = Number(values.strings);

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

function buildHome(dir: string): void {
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

async function timed(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const start = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  return { ms: performance.now() - start, bytes: body.byteLength, status: response.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function measure(label: string, url: string, repeats: number): Promise<void> {
  const first = await timed(url);
  if (first.status !== 200) throw new Error(`${label}: HTTP ${first.status}`);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push((await timed(url)).ms);
  console.log(
    `${label.padEnd(44)} first ${first.ms.toFixed(1).padStart(8)} ms   repeated median ${median(times).toFixed(1).padStart(7)} ms   (${(first.bytes / 1024).toFixed(0)} KiB)`,
  );
}

async function throughput(
  label: string,
  url: string,
  clients: number,
  seconds: number,
): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const response = await fetch(url);
        await response.arrayBuffer();
        done++;
      }
    }),
  );
  console.log(
    `${label.padEnd(44)} ${(done / seconds).toFixed(0)} requests/s with ${clients} concurrent clients`,
  );
}

const dir = values.keep
  ? resolve(values.keep)
  : mkdtempSync(join(tmpdir(), "goodseed-bench-serve-"));
try {
  if (!existsSync(join(dir, "projects"))) {
    const started = performance.now();
    buildHome(dir);
    console.log(
      `built ${RUNS} runs and a ${POINTS.toLocaleString("en-US")}-point run in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const port = await freePort();
  const server = Bun.spawn(
    [
      "bun",
      join(import.meta.dir, "../bin/goodseed.ts"),
      "serve",
      join(dir, "projects"),
      "--port",
      String(port),
    ],
    {
      stdout: "ignore",
      stderr: "inherit",
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  for (;;) {
    try {
      await fetch(`${base}/api/none`);
      break;
    } catch {
      if (performance.now() - startedAt > 20_000) throw new Error("the server did not start");
      await Bun.sleep(10);
    }
  }
  try {
    const big = `${base}/api/runs/bench/big/huge`;
    await measure("/api/runs (5,000+ runs)", `${base}/api/runs`, 20);
    await measure("/api/projects", `${base}/api/projects`, 20);
    await measure("/api/runs?project=bench/group-3", `${base}/api/runs?project=bench/group-3`, 20);
    await throughput("/api/runs", `${base}/api/runs`, 8, 3);
    await throughput("/api/projects", `${base}/api/projects`, 8, 3);
    // Downsampled first: the full fetch would leave the series in the server's cache.
    await measure("metrics, pointCount=1000", `${big}/metrics?path=train/loss&pointCount=1000`, 20);
    await measure(
      "metrics, 100,000-point window, pointCount=1000",
      `${big}/metrics?path=train/loss&pointCount=1000&firstPointIndex=450000&lastPointIndex=549999`,
      20,
    );
    await measure("metrics, full 1,000,000 points", `${big}/metrics?path=train/loss`, 3);
    await measure(
      "string_series?tail=20 (100,000 entries)",
      `${big}/string_series?path=log/lines&tail=20`,
      20,
    );
  } finally {
    server.kill();
    await server.exited;
  }
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
