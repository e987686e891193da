import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { spawnScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor, waitForLine } from "../helpers/wait.ts";

/** The newest value (a `Date.now()` the script logged) committed to a series, and the point count. */
function newest(file: string, path: string): { value: number; count: number; maxStep: number } {
  const db = new Database(file, { readonly: true });
  try {
    const row = db
      .query<{ value: number | null; count: number; maxStep: number | null }, [string]>(
        "SELECT max(p.y) AS value, count(*) AS count, max(p.step) AS maxStep FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.path = ?",
      )
      .get(path);
    return { value: row?.value ?? 0, count: row?.count ?? 0, maxStep: row?.maxStep ?? -1 };
  } finally {
    db.close();
  }
}

const QUIET = "captureStdout: false, captureStderr: false, captureHardwareMetrics: false";

describe("commit window", () => {
  it("a SIGKILL loses at most the last second, however fast a never-yielding loop logs", async () => {
    await using dir = tempDir();
    // A large queue (64 MB, about 2.8 million points) holds far more than the writer
    // commits in a second on any machine: only a time bound keeps the window.
    const child = spawnScript(
      `const run = new Run({ runId: "fast", ${QUIET} });
let step = 0;
for (; step < 1000; step++) run.log("t", Date.now(), { step });
run.exists("t");
console.log("started");
for (;;) run.log("t", Date.now(), { step: step++ });`,
      { home: dir.path, env: { GOODSEED_RING_BYTES: String(64 * 1024 * 1024) } },
    );
    try {
      await waitForLine(child, "started");
      // Long enough for the queue to fill up several times over without a time bound.
      await Bun.sleep(3000);
      const killedAt = Date.now();
      child.kill("SIGKILL");
      await child.exited;
      const file = join(dir.path, "projects/default/runs/fast.sqlite");
      const { value, count, maxStep } = newest(file, "t");
      expect(count).toBe(maxStep + 1);
      expect(killedAt - value).toBeLessThan(1000);
      const db = new Database(file, { readonly: true });
      expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      db.close();
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  }, 30_000);

  it("a lock another process holds on one run's file does not hold up another run's commits", async () => {
    await using dir = tempDir();
    const runs = join(dir.path, "projects/default/runs");
    mkdirSync(runs, { recursive: true });
    const child = spawnScript(
      `const a = new Run({ runId: "a", ${QUIET} });
const b = new Run({ runId: "b", ${QUIET} });
a.log("t", Date.now(), { step: 0 });
b.log("t", Date.now(), { step: 0 });
a.exists("t"); b.exists("t");
console.log("ready");
let step = 1;
setInterval(() => {
  a.log("t", Date.now(), { step });
  b.log("t", Date.now(), { step: step++ });
}, 20);`,
      { home: dir.path },
    );
    try {
      await waitForLine(child, "ready");
      // Another process takes the write lock of run a for 8 s.
      const locker = new Database(join(runs, "a.sqlite"));
      locker.run("PRAGMA busy_timeout=5000");
      locker.run("BEGIN IMMEDIATE");
      let worstLagMs = 0;
      const lockedUntil = Date.now() + 8000;
      try {
        while (Date.now() < lockedUntil) {
          await Bun.sleep(100);
          const lag = Date.now() - newest(join(runs, "b.sqlite"), "t").value;
          worstLagMs = Math.max(worstLagMs, lag);
        }
      } finally {
        locker.run("ROLLBACK");
        locker.close();
      }
      // Run b kept its window while run a was locked (and a catches up afterwards).
      expect(worstLagMs).toBeLessThan(1500);
      await waitFor(
        () => Date.now() - newest(join(runs, "a.sqlite"), "t").value < 1500,
        "run a to catch up once unlocked",
      );
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  }, 30_000);
});
