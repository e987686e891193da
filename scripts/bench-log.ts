/**
 * Logging throughput of the Run library, against raw bun:sqlite as the yardstick.
 *
 *   bun scripts/bench-log.ts            all cases, each in a fresh process
 *   bun scripts/bench-log.ts --quick    a tenth of the points
 *   bun scripts/bench-log.ts --cloud    also with storage 'cloud', uploading to a fake API on 127.0.0.1
 *
 * Prints points/s for `run.log` on one series and for `logMetrics` with 10 keys (from
 * the first call until the last point is committed), the main thread's cost per
 * call while the queue has room, peak RSS growth, bytes per point in the closed file,
 * and what raw bun:sqlite reaches inserting the same rows in 10,000-row transactions.
 */

import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Run } from "../src/index.ts";
import { applyWriterPragmas, ensureSchema } from "../src/storage/schema.ts";

type CaseName =
  | "log"
  | "logMetrics"
  | "callCost"
  | "rss"
  | "rawLog"
  | "rawLogMetrics"
  | "cloudLog"
  | "cloudLogMetrics";

interface CaseResult {
  name: CaseName;
  points: number;
  seconds: number;
  pointsPerSecond: number;
  closeSeconds?: number;
  bytesPerPoint?: number;
  nsPerCall?: number;
  bestNsPerCall?: number;
  rssGrowthMb?: number;
  peakRssMb?: number;
}

const quick = process.argv.includes("--quick");
const cloud = process.argv.includes("--cloud");
const scale = quick ? 0.1 : 1;
const KEYS = Array.from({ length: 10 }, (_, k) => `train/metric_${k}`);

/** Cloud runs of the comparison rounds skip the upload drain at close (BENCH_NO_DRAIN=1). */
function drainOption(): { uploadTimeoutMs?: number } {
  return process.env.BENCH_NO_DRAIN === "1" ? { uploadTimeoutMs: 1 } : {};
}

function newRun(home: string, storage: "local" | "cloud" = "local"): Run {
  return new Run({
    storage,
    apiKey: "test-key",
    project: storage === "cloud" ? "bench/cloud" : "bench",
    goodseedHome: home,
    captureStdout: false,
    captureStderr: false,
    captureHardwareMetrics: false,
    captureTraceback: false,
    gitRef: false,
  });
}

async function caseLog(home: string, storage: "local" | "cloud" = "local"): Promise<CaseResult> {
  const points = Math.round(2_000_000 * scale);
  const run = newRun(home, storage);
  const start = performance.now();
  for (let step = 0; step < points; step++)
    run.log("train/loss", Math.sin(step) + step * 1e-6, { step });
  run.exists("train/loss"); // flush barrier: returns once every point is committed
  const seconds = (performance.now() - start) / 1000;
  const closeStart = performance.now();
  await run.close();
  const closeSeconds = (performance.now() - closeStart) / 1000;
  const bytesPerPoint = statSync(run.file as string).size / points;
  return {
    name: "log",
    points,
    seconds,
    pointsPerSecond: points / seconds,
    closeSeconds,
    bytesPerPoint,
  };
}

async function caseLogMetrics(
  home: string,
  storage: "local" | "cloud" = "local",
): Promise<CaseResult> {
  const calls = Math.round(200_000 * scale);
  const run = newRun(home, storage);
  const start = performance.now();
  for (let step = 0; step < calls; step++) {
    const values: Record<string, number> = {};
    for (let k = 0; k < 10; k++) values[KEYS[k] as string] = Math.sin(step + k);
    run.logMetrics(values, { step });
  }
  run.exists(KEYS[0] as string);
  const seconds = (performance.now() - start) / 1000;
  const closeStart = performance.now();
  await run.close("finished", drainOption());
  const closeSeconds = (performance.now() - closeStart) / 1000;
  const points = calls * 10;
  const bytesPerPoint = statSync(run.file as string).size / points;
  return {
    name: "logMetrics",
    points,
    seconds,
    pointsPerSecond: points / seconds,
    closeSeconds,
    bytesPerPoint,
  };
}

/** The cost of `run.log` on the main thread alone: bursts that fit in the queue, flushed in between. */
async function caseCallCost(home: string): Promise<CaseResult> {
  const run = newRun(home);
  const burst = 100_000;
  let best = Number.POSITIVE_INFINITY;
  let total = 0;
  let step = 0;
  for (let round = 0; round < 12; round++) {
    const start = performance.now();
    for (let i = 0; i < burst; i++, step++) run.log("train/loss", i, { step });
    const elapsed = performance.now() - start;
    if (round >= 2) {
      best = Math.min(best, elapsed);
      total += elapsed;
    }
    run.exists("train/loss");
  }
  await run.close();
  const nsPerCall = ((total / 10) * 1e6) / burst;
  return {
    name: "callCost",
    points: burst * 10,
    seconds: total / 1000,
    pointsPerSecond: (burst * 10) / (total / 1000),
    nsPerCall,
    bestNsPerCall: (best * 1e6) / burst,
  };
}

async function caseRss(home: string): Promise<CaseResult> {
  const points = Math.round(10_000_000 * scale);
  const run = newRun(home);
  Bun.gc(true);
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const start = performance.now();
  for (let step = 0; step < points; step++) {
    run.log("train/loss", step * 0.5, { step });
    if (step % 100_000 === 0) peak = Math.max(peak, process.memoryUsage.rss());
  }
  run.exists("train/loss");
  peak = Math.max(peak, process.memoryUsage.rss());
  const seconds = (performance.now() - start) / 1000;
  await run.close();
  peak = Math.max(peak, process.memoryUsage.rss());
  return {
    name: "rss",
    points,
    seconds,
    pointsPerSecond: points / seconds,
    rssGrowthMb: (peak - baseline) / 2 ** 20,
    peakRssMb: peak / 2 ** 20,
  };
}

/** Raw bun:sqlite: the peer's statement, one row per call, 10,000-row transactions, same rows. */
function caseRaw(home: string, series: number): CaseResult {
  const points = Math.round(2_000_000 * scale);
  const file = join(home, `raw-${series}.sqlite`);
  const db = new Database(file, { create: true, strict: true });
  applyWriterPragmas(db);
  ensureSchema(db);
  const ids: number[] = [];
  for (let s = 0; s < series; s++) {
    db.run("INSERT INTO metric_series (path) VALUES (?)", [
      series === 1 ? "train/loss" : (KEYS[s] as string),
    ]);
    ids.push(s + 1);
  }
  const insert = db.query(
    "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
  );
  const start = performance.now();
  let inTransaction = 0;
  db.run("BEGIN");
  for (let i = 0; i < points; i++) {
    const step = Math.floor(i / series);
    const s = i % series;
    insert.run(
      ids[s] as number,
      step,
      series === 1 ? Math.sin(step) + step * 1e-6 : Math.sin(step + s),
      Math.floor(Date.now() / 1000),
    );
    if (++inTransaction === 10_000) {
      db.run("COMMIT");
      db.run("BEGIN");
      inTransaction = 0;
    }
  }
  db.run("COMMIT");
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return {
    name: series === 1 ? "rawLog" : "rawLogMetrics",
    points,
    seconds,
    pointsPerSecond: points / seconds,
  };
}

async function runCase(name: CaseName): Promise<CaseResult> {
  const home = mkdtempSync(join(tmpdir(), "goodseed-bench-"));
  try {
    switch (name) {
      case "log":
        return await caseLog(home);
      case "logMetrics":
        return await caseLogMetrics(home);
      case "callCost":
        return await caseCallCost(home);
      case "rss":
        return await caseRss(home);
      case "rawLog":
        return caseRaw(home, 1);
      case "rawLogMetrics":
        return caseRaw(home, 10);
      case "cloudLog":
        return await caseLog(home, "cloud");
      case "cloudLogMetrics":
        return await caseLogMetrics(home, "cloud");
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function inChild(name: CaseName, env: Record<string, string> = {}): Promise<CaseResult> {
  const args = [process.execPath, import.meta.path, "--case", name, ...(quick ? ["--quick"] : [])];
  const child = Bun.spawn(args, {
    stdout: "pipe",
    stderr: "inherit",
    env: { ...process.env, ...env },
  });
  const text = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`case ${name} failed`);
  return JSON.parse(text.trim().split("\n").pop() as string) as CaseResult;
}

const caseIndex = process.argv.indexOf("--case");
if (caseIndex >= 0) {
  console.log(JSON.stringify(await runCase(process.argv[caseIndex + 1] as CaseName)));
  process.exit(0);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const results = new Map<CaseName, CaseResult>();
for (const name of [
  "rawLog",
  "rawLogMetrics",
  "log",
  "logMetrics",
  "callCost",
  "rss",
] as CaseName[]) {
  results.set(name, await inChild(name));
}
/** Cloud against local, in interleaved rounds: this machine's speed drifts too much for one run each. */
const cloudRatios: Record<"log" | "logMetrics", number[]> = { log: [], logMetrics: [] };
if (cloud) {
  // The fake API runs in a process of its own, as a real one would.
  const { startFakeRemoteProcess } = await import("../test/helpers/fake-remote.ts");
  await using fake = await startFakeRemoteProcess();
  for (let round = 0; round < 3; round++) {
    for (const [localName, cloudName] of [
      ["log", "cloudLog"],
      ["logMetrics", "cloudLogMetrics"],
    ] as const) {
      const local = await inChild(localName);
      const remote = await inChild(cloudName, { GOODSEED_API_URL: fake.url, BENCH_NO_DRAIN: "1" });
      cloudRatios[localName].push(remote.pointsPerSecond / local.pointsPerSecond);
    }
  }
  // One more of each, waiting for the upload to drain at close.
  for (const name of ["cloudLog", "cloudLogMetrics"] as CaseName[]) {
    results.set(name, await inChild(name, { GOODSEED_API_URL: fake.url }));
  }
}
const get = (name: CaseName) => results.get(name) as CaseResult;
const log = get("log");
const metrics = get("logMetrics");
const rawLog = get("rawLog");
const rawMetrics = get("rawLogMetrics");
const cost = get("callCost");
const rss = get("rss");
console.log(
  `goodseed bench-log (${quick ? "quick, 1/10 of the points" : "full"}), Bun ${Bun.version}`,
);
console.log(
  `run.log, 1 series:       ${fmt(log.pointsPerSecond)} points/s committed (${fmt(log.points)} points in ${log.seconds.toFixed(2)} s; close ${(log.closeSeconds ?? 0).toFixed(2)} s)` +
    `  = ${((log.pointsPerSecond / rawLog.pointsPerSecond) * 100).toFixed(0)} % of raw`,
);
console.log(
  `logMetrics, 10 keys:     ${fmt(metrics.pointsPerSecond)} points/s committed (${fmt(metrics.points)} points in ${metrics.seconds.toFixed(2)} s; close ${(metrics.closeSeconds ?? 0).toFixed(2)} s)` +
    `  = ${((metrics.pointsPerSecond / rawMetrics.pointsPerSecond) * 100).toFixed(0)} % of raw`,
);
console.log(
  `raw bun:sqlite, 1 series:  ${fmt(rawLog.pointsPerSecond)} rows/s (10,000-row transactions)`,
);
console.log(
  `raw bun:sqlite, 10 series: ${fmt(rawMetrics.pointsPerSecond)} rows/s (10,000-row transactions)`,
);
console.log(
  `main-thread cost of run.log while the queue has room: ${(cost.nsPerCall ?? 0).toFixed(1)} ns/call mean, ${(cost.bestNsPerCall ?? 0).toFixed(1)} ns/call best round`,
);
console.log(
  `RSS for ${fmt(rss.points)} points: +${(rss.rssGrowthMb ?? 0).toFixed(1)} MB growth, peak ${(rss.peakRssMb ?? 0).toFixed(1)} MB (${fmt(rss.pointsPerSecond)} points/s)`,
);
console.log(
  `bytes per point in the closed file: ${(log.bytesPerPoint ?? 0).toFixed(1)} (1 series), ${(metrics.bytesPerPoint ?? 0).toFixed(1)} (10 series)`,
);
if (cloud) {
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const percent = (values: number[]) =>
    values.map((value) => `${(value * 100).toFixed(0)} %`).join(", ");
  for (const [label, key, name] of [
    ["run.log", "log", "cloudLog"],
    ["logMetrics", "logMetrics", "cloudLogMetrics"],
  ] as const) {
    const drained = get(name);
    console.log(
      `storage 'cloud', ${label}: median ${(median(cloudRatios[key]) * 100).toFixed(0)} % of local throughput (rounds: ${percent(cloudRatios[key])}); upload of ${fmt(drained.points)} points drained ${(drained.closeSeconds ?? 0).toFixed(1)} s after the last point`,
    );
  }
}
