import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readRunFile } from "../helpers/run-file.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor, waitForLine } from "../helpers/wait.ts";

/** The points committed so far; -1 while the writer keeps the file busy (SQLITE_BUSY*). */
function countPoints(file: string): number {
  let db: Database | undefined;
  try {
    db = new Database(file, { readonly: true });
    return (
      db.query<{ n: number }, []>("SELECT count(*) AS n FROM metric_points").get() as { n: number }
    ).n;
  } catch (error) {
    if (String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) return -1;
    throw error;
  } finally {
    db?.close();
  }
}

describe("durability", () => {
  it("points are in the file while the main thread busy-loops without yielding", async () => {
    await using dir = tempDir();
    const marker = join(dir.path, "seen");
    // The loop ends when the test has seen every point in the file (it then creates the
    // marker file), or after 20 s; it never yields meanwhile.
    const child = spawnScript(
      `import { existsSync } from "node:fs";
const run = new Run({ runId: "busy", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
for (let step = 0; step < 1000; step++) run.log("train/loss", 1 / (step + 1), { step });
console.log("logged");
const deadline = performance.now() + 20_000;
let next = 0;
for (;;) {
  const now = performance.now();
  if (now > deadline) throw new Error("the test never saw the points");
  if (now < next) continue;
  if (existsSync(${JSON.stringify(marker)})) break;
  next = now + 20;
}
`,
      { home: dir.path },
    );
    try {
      await waitForLine(child, "logged");
      const file = join(dir.path, "projects/default/runs/busy.sqlite");
      await waitFor(() => countPoints(file) === 1000, "the 1000 points in the file", 20_000);
      writeFileSync(marker, "");
      await child.exited;
      expect(await new Response(child.stderr).text()).toBe("");
      expect(child.exitCode).toBe(0);
      expect(readRunFile(file).meta.status).toBe("finished");
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  });

  it("a SIGKILLed script leaves a file with every committed point and no gaps", async () => {
    await using dir = tempDir();
    const child = spawnScript(
      `const run = new Run({ runId: "killed", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
for (; step < 5000; step++) run.log("m", step, { step });
for (let i = 0; i < 1000000; i++, step++) run.log("m", step, { step });
console.log("second batch");
setInterval(() => run.log("m", step, { step: step++ }), 1);
`,
      { home: dir.path },
    );
    try {
      await waitForLine(child, "second batch");
      const file = join(dir.path, "projects/default/runs/killed.sqlite");
      // Killed once both batches are committed, while the script goes on logging. How
      // soon a point is committed is test/writer/commit-window.test.ts's to check.
      await waitFor(() => countPoints(file) >= 1_005_000, "both batches in the file", 30_000);
      child.kill("SIGKILL");
      await child.exited;
      expect(child.signalCode).toBe("SIGKILL");
      const contents = readRunFile(file);
      expect(contents.meta.status).toBe("running");
      // Everything committed before the kill is there, with no gaps.
      expect(contents.metrics.length).toBeGreaterThanOrEqual(1_005_000);
      contents.metrics.forEach((row, index) => {
        if (row.step !== index) throw new Error(`gap at step ${index}`);
      });
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  });
});
