import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { readRunFile } from "../helpers/run-file.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

function countPoints(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.query<{ n: number }, []>("SELECT count(*) AS n FROM metric_points").get() as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

async function waitForLine(
  child: { stdout: ReadableStream<Uint8Array> },
  line: string,
): Promise<number> {
  const reader = child.stdout.getReader();
  let text = "";
  await waitFor(async () => {
    const { value, done } = await reader.read();
    if (value) text += new TextDecoder().decode(value);
    return text.includes(line) || done;
  }, `"${line}" from the script`);
  reader.releaseLock();
  return Date.now();
}

describe("durability", () => {
  it("points are in the file while the main thread busy-loops without yielding", async () => {
    await using dir = tempDir();
    const child = spawnScript(
      `const run = new Run({ runId: "busy", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
for (let step = 0; step < 1000; step++) run.log("train/loss", 1 / (step + 1), { step });
console.log("logged");
const until = performance.now() + 4000;
while (performance.now() < until) {}
`,
      { home: dir.path },
    );
    try {
      const loggedAt = await waitForLine(child, "logged");
      const file = join(dir.path, "projects/default/runs/busy.sqlite");
      // Open the file 1.5 s into the busy loop: the main thread has not yielded since.
      await Bun.sleep(Math.max(0, loggedAt + 1500 - Date.now()));
      expect(countPoints(file)).toBe(1000);
      await child.exited;
      expect(child.exitCode).toBe(0);
      expect(readRunFile(file).meta.status).toBe("finished");
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  });

  it("a SIGKILLed script leaves a file with every point committed before its last second", async () => {
    await using dir = tempDir();
    const child = spawnScript(
      `const run = new Run({ runId: "killed", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
for (; step < 5000; step++) run.log("m", step, { step });
console.log("first batch");
const until = performance.now() + 1200;
while (performance.now() < until) {}
for (let i = 0; i < 1000000; i++, step++) run.log("m", step, { step });
console.log("second batch");
setInterval(() => run.log("m", step, { step: step++ }), 1);
`,
      { home: dir.path },
    );
    try {
      await waitForLine(child, "second batch");
      await Bun.sleep(1500);
      child.kill("SIGKILL");
      await child.exited;
      expect(child.signalCode).toBe("SIGKILL");
      const file = join(dir.path, "projects/default/runs/killed.sqlite");
      const contents = readRunFile(file);
      expect(contents.meta.status).toBe("running");
      // Everything logged more than a second before the kill is there, with no gaps.
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
