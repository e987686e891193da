import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { mkdirSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/** A real 3 MB tmpfs (root only); where it cannot be mounted these tests say so and skip. */
function mountTmpfs(): { path: string; [Symbol.dispose](): void } | undefined {
  const path = join("/tmp", `goodseed-full-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path, { recursive: true });
  const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", path], {
    stderr: "ignore",
    stdout: "ignore",
  });
  if (mounted.exitCode !== 0) {
    rmdirSync(path);
    return undefined;
  }
  return {
    path,
    [Symbol.dispose]() {
      Bun.spawnSync(["umount", "-l", path]);
      rmdirSync(path);
    },
  };
}

const canMount = (() => {
  const probe = mountTmpfs();
  probe?.[Symbol.dispose]();
  if (!probe) console.warn("full-disk tests skipped: cannot mount a tmpfs here (needs root)");
  return probe !== undefined;
})();

const QUIET = "captureStdout: false, captureStderr: false, captureHardwareMetrics: false";

describe.skipIf(!canMount)("a full disk", () => {
  it("run.log fails with a clear StorageError within seconds, close() returns, and what was committed stays intact", async () => {
    using disk = mountTmpfs() as NonNullable<ReturnType<typeof mountTmpfs>>;
    const started = Date.now();
    const result = await runScript(
      `const run = new Run({ runId: "full", ${QUIET} });
const t0 = performance.now();
let step = 0;
try {
  for (;;) { run.log("m", step, { step }); step++; }
} catch (error) {
  console.log(JSON.stringify({ phase: "log", name: error.name, code: error.code, message: error.message, ms: performance.now() - t0, step }));
}
const c0 = performance.now();
try {
  await run.close();
  console.log(JSON.stringify({ phase: "close", ok: true, ms: performance.now() - c0 }));
} catch (error) {
  console.log(JSON.stringify({ phase: "close", name: error.name, message: error.message, ms: performance.now() - c0 }));
}`,
      { home: disk.path, timeoutMs: 60_000 },
    );
    const lines = result.stdout
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line));
    const logged = lines.find((line) => line.phase === "log");
    const closed = lines.find((line) => line.phase === "close");
    expect(logged?.name).toBe("StorageError");
    expect(logged?.message).toContain("full");
    expect(logged?.ms).toBeLessThan(10_000);
    expect(closed).toBeDefined();
    expect(closed?.ms).toBeLessThan(10_000);
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(40_000);

    const file = join(disk.path, "projects/default/runs/full.sqlite");
    const db = new Database(file, { readonly: true });
    try {
      expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      const points = db
        .query<{ step: number }, []>("SELECT step FROM metric_points ORDER BY step")
        .all();
      expect(points.length).toBeGreaterThan(0);
      points.forEach((row, index) => {
        if (row.step !== index) throw new Error(`gap at step ${index}`);
      });
    } finally {
      db.close();
    }
  }, 60_000);

  it("new Run() on an already full disk throws a StorageError and leaves no file", async () => {
    using disk = mountTmpfs() as NonNullable<ReturnType<typeof mountTmpfs>>;
    const runs = join(disk.path, "projects/default/runs");
    mkdirSync(runs, { recursive: true });
    // Fill the disk to the last byte.
    try {
      writeFileSync(join(disk.path, "filler"), Buffer.alloc(4 * 1024 * 1024));
    } catch {
      // ENOSPC: it is full now
    }
    await using scratch = tempDir();
    const result = await runScript(
      `try {
  new Run({ runId: "late", goodseedHome: ${JSON.stringify(disk.path)}, ${QUIET} });
  console.log("opened");
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
}`,
      { home: scratch.path },
    );
    const outcome = JSON.parse(result.stdout.trim().split("\n").at(-1) as string);
    expect(outcome.name).toBe("StorageError");
    expect(outcome.message).toContain("full");
    expect(readdirSync(runs)).toEqual([]);
  }, 60_000);
});
