/**
 * Start-up speed of the compiled binary (build it first: bun scripts/build.ts):
 * median wall time of `--version`, of `list` on a home with 1,000 runs, and the time
 * from spawning `serve` to its first answered request.
 *
 *   bun scripts/bench-startup.ts [dist/goodseed-linux-x64] [--runs 1000] [--repeat 15]
 */

import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { applyWriterPragmas, ensureSchema } from "../src/storage/schema.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "1000" }, repeat: { type: "string", default: "15" } },
});
const ROOT = resolve(import.meta.dir, "..");
const binary = resolve(
  positionals[0] ?? join(ROOT, "dist", `goodseed-${process.platform}-${process.arch}`),
);
const RUNS = Number(values.runs);
const REPEAT = Number(values.repeat);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timeCommand(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = Bun.spawn([binary, ...args], { env, stdout: "ignore", stderr: "inherit" });
  if ((await child.exited) !== 0) throw new Error(`${args.join(" ")} failed`);
  return performance.now() - started;
}

function buildHome(home: string): void {
  const runs = join(home, "projects/bench/runs");
  mkdirSync(runs, { recursive: true });
  const template = join(home, "template.sqlite");
  const db = new Database(template, { create: true, strict: true });
  applyWriterPragmas(db);
  ensureSchema(db);
  db.run(
    "INSERT INTO run_meta (key, value) VALUES ('run_id', 'r'), ('status', 'finished'), ('created_at', '2026-01-01T00:00:00+00:00')",
  );
  db.run("INSERT INTO metric_series (path) VALUES ('loss')");
  db.run("INSERT INTO metric_points (series_id, step, y, ts) VALUES (1, 0, 1.0, 0)");
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  for (let i = 0; i < RUNS; i++) copyFileSync(template, join(runs, `run-${i}.sqlite`));
  rmSync(template);
}

const dir = mkdtempSync(join(tmpdir(), "goodseed-bench-startup-"));
try {
  const home = join(dir, "home");
  buildHome(home);
  const env = { GOODSEED_HOME: home, HOME: dir, PATH: process.env.PATH ?? "" };
  const version: number[] = [];
  const list: number[] = [];
  for (let i = 0; i < REPEAT; i++) version.push(await timeCommand(["--version"], env));
  for (let i = 0; i < REPEAT; i++) list.push(await timeCommand(["list", "-p", "bench"], env));

  const serve: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = probe.port as number;
    await probe.stop(true);
    const started = performance.now();
    const child = Bun.spawn([binary, "serve", "--port", String(port)], {
      env,
      stdout: "ignore",
      stderr: "inherit",
    });
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${port}/api/projects`).catch(() => undefined);
      if (response?.ok) break;
      await Bun.sleep(1);
    }
    serve.push(performance.now() - started);
    child.kill();
    await child.exited;
  }
  console.log(`goodseed bench-startup: ${binary}`);
  console.log(`--version:                       median ${median(version).toFixed(1)} ms`);
  console.log(`list -p bench (${RUNS} runs):        median ${median(list).toFixed(1)} ms`);
  console.log(`serve, spawn to first answer:    median ${median(serve).toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
