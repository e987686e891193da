import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { copyFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readRunFile } from "../helpers/run-file.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitForLine } from "../helpers/wait.ts";

const OPEN = `const run = new Run({ runId: "sig", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
for (; step < 100; step++) run.log("m", step, { step });
run.exists("m");
`;

/** A loop that never yields for 20 s, logging all along: without goodseed, a signal ends it at once. */
const BUSY = `console.log("ready");
const until = performance.now() + 20_000;
while (performance.now() < until) { run.log("m", step, { step }); step++; }
console.log("loop ended");
`;

describe("signals while the main thread never yields", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} ends the process by the signal within seconds, the run 'failed' with every point logged`, async () => {
      await using dir = tempDir();
      const child = spawnScript(OPEN + BUSY, { home: dir.path });
      try {
        await waitForLine(child, "ready");
        const signalledAt = Date.now();
        child.kill(signal);
        await child.exited;
        const tookMs = Date.now() - signalledAt;
        expect(child.signalCode).toBe(signal);
        // The loop would have run for 20 s; the signal's end comes within a few.
        expect(tookMs).toBeLessThan(10_000);

        // Everything is in the .sqlite file itself: the WAL was checkpointed (it may stay
        // beside it, empty, as the main thread's idle read connection was never closed).
        const runs = join(dir.path, "projects/default/runs");
        for (const name of readdirSync(runs)) {
          if (name.endsWith("-wal")) expect(statSync(join(runs, name)).size).toBe(0);
        }
        const alone = join(dir.path, "alone.sqlite");
        copyFileSync(join(runs, "sig.sqlite"), alone);
        const contents = readRunFile(alone);
        expect(contents.meta.status).toBe("failed");
        expect(contents.meta.closed_at).toBeDefined();
        expect(contents.configs.find((c) => c.path === "sys/state")?.value).toBe("failed");
        const traceback = contents.strings.find((row) => row.path.endsWith("/traceback"));
        expect(traceback?.value).toBe(`Interrupted by ${signal}`);
        // Every point up to the signal, with no gap: the loop logged until it was stopped.
        const points = contents.metrics;
        expect(points.length).toBeGreaterThan(100);
        points.forEach((row, index) => {
          if (row.step !== index) throw new Error(`gap at step ${index}`);
        });
        expect((points.at(-1)?.ts ?? 0) * 1000).toBeGreaterThanOrEqual(signalledAt - 1000);
        const db = new Database(alone, { readonly: true });
        expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
        db.close();
      } finally {
        child.kill("SIGKILL");
        child.cleanup();
      }
    }, 30_000);
  }

  it("a program with its own SIGINT listener decides itself, when it yields", async () => {
    await using dir = tempDir();
    const child = spawnScript(
      `${OPEN}process.on("SIGINT", () => { console.log("handled by the program"); run.close().then(() => process.exit(0)); });
console.log("ready");
const until = performance.now() + 3000;
while (performance.now() < until) { run.log("m", step, { step }); step++; }
console.log("loop ended");`,
      { home: dir.path },
    );
    try {
      await waitForLine(child, "ready");
      child.kill("SIGINT");
      const rest = await waitForLine(child, "handled by the program");
      await child.exited;
      expect(child.exitCode).toBe(0);
      expect(rest).toContain("loop ended");
      expect(rest).toContain("handled by the program");
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  }, 30_000);

  it("once the last run is closed, SIGINT has its default effect again", async () => {
    await using dir = tempDir();
    const child = spawnScript(
      `${OPEN}await run.close();
console.log("ready");
const until = performance.now() + 20_000;
while (performance.now() < until) {}`,
      { home: dir.path },
    );
    try {
      await waitForLine(child, "ready");
      const signalledAt = Date.now();
      child.kill("SIGINT");
      await child.exited;
      expect(child.signalCode).toBe("SIGINT");
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  }, 30_000);
});
