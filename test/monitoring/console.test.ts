import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { readRunFile } from "../helpers/run-file.ts";
import { runScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";

async function capturedRun(home: string, body: string, options = "") {
  const result = await runScript(
    `const run = new Run({ runId: "console", captureHardwareMetrics: false, gitRef: false ${options} });
${body}
await run.close();`,
    { home },
  );
  expect(result.exitCode).toBe(0);
  const contents = readRunFile(join(home, "projects/default/runs/console.sqlite"));
  const ns = contents.configs
    .find((row) => row.path.endsWith("/hostname"))
    ?.path.replace(/\/hostname$/, "") as string;
  const lines = (stream: string) =>
    contents.strings
      .filter((row) => row.path === `${ns}/${stream}`)
      .map((row) => [row.step, row.value] as const);
  return { result, lines, contents };
}

describe("console capture", () => {
  it("logs every console method and stream write as lines, with one step counter, and still prints them", async () => {
    await using dir = tempDir();
    const { result, lines } = await capturedRun(
      dir.path,
      `console.log("hello %s", "world");
process.stdout.write("progress 10%\\rprogress 55%\\rprogress 100%\\n");
console.error("warning: learning rate is high");
process.stdout.write("two ");
process.stdout.write("writes\\r\\n");
console.info("multi\\nline\\nprint");
process.stderr.write(new TextEncoder().encode("bytes ✓ été\\n"));
console.warn("warned");
console.log();
process.stdout.write("\\rdownloading   5%");
process.stdout.write("\\rdownloading 100%");
process.stdout.write("\\n");`,
    );
    expect(lines("stdout")).toEqual([
      [0, "hello world"],
      [1, "progress 100%"],
      [3, "two writes"],
      [4, "multi"],
      [5, "line"],
      [6, "print"],
      [9, "downloading 100%"],
    ]);
    expect(lines("stderr")).toEqual([
      [2, "warning: learning rate is high"],
      [7, "bytes ✓ été"],
      [8, "warned"],
    ]);
    expect(result.stdout).toContain("hello world\n");
    expect(result.stdout).toContain("progress 10%\rprogress 55%\rprogress 100%\n");
    expect(result.stdout).toContain("two writes\r\n");
    expect(result.stderr).toContain("warning: learning rate is high\n");
    expect(result.stderr).toContain("bytes ✓ été\n");
  });

  it("passes a 100 KB write through whole, and logs it whole", async () => {
    await using dir = tempDir();
    const { result, lines } = await capturedRun(
      dir.path,
      `process.stdout.write("start:" + "x".repeat(100_000) + ":end\\n");
console.log("y".repeat(70_000));`,
    );
    expect(result.stdout).toContain(`start:${"x".repeat(100_000)}:end\n`);
    expect(result.stdout).toContain(`${"y".repeat(70_000)}\n`);
    expect(lines("stdout")).toEqual([
      [0, `start:${"x".repeat(100_000)}:end`],
      [1, "y".repeat(70_000)],
    ]);
  });

  it("keeps the last unterminated line at close", async () => {
    await using dir = tempDir();
    const { lines } = await capturedRun(dir.path, `process.stdout.write("no newline at the end");`);
    expect(lines("stdout")).toEqual([[0, "no newline at the end"]]);
  });

  it("writes lines, a partial one too, while the main thread never yields", async () => {
    await using dir = tempDir();
    // The loop reads the file until both lines are in it (or gives up after 15 s), so
    // the test waits as long as this machine needs and no longer.
    const { lines } = await capturedRun(
      dir.path,
      `console.log("before the loop");
process.stderr.write("partial, never ended");
const file = run.file;
const { Database } = await import("bun:sqlite");
// The writer holds the file: a read may find it busy (SQLITE_BUSY*), and then sees nothing.
const read = () => {
  let db;
  try {
    db = new Database(file, { readonly: true });
    return db.query("SELECT value FROM string_points ORDER BY step").values().map((r) => r[0]);
  } catch (error) {
    if (String(error?.code).startsWith("SQLITE_BUSY")) return [];
    throw error;
  } finally {
    db?.close();
  }
};
const deadline = performance.now() + 15_000;
let seen = read();
for (let next = 0; seen.length < 2 && performance.now() < deadline; ) {
  if (performance.now() < next) continue;
  seen = read();
  next = performance.now() + 20;
}
console.log("seen:" + JSON.stringify(seen));`,
    );
    const seen = lines("stdout").find(([, line]) => line.startsWith("seen:"))?.[1] as string;
    // The finished line is in the file, and so is the unfinished one of a stream that had
    // logged nothing yet (the peer's rule: a partial line waits at most a drain then, else 5 s).
    expect(JSON.parse(seen.slice(5))).toEqual(["before the loop", "partial, never ended"]);
  });

  it("captures nothing of a stream whose flag is false, and stops when the run closes", async () => {
    await using dir = tempDir();
    const { lines, result } = await capturedRun(
      dir.path,
      `console.log("out"); console.error("err");`,
      ", captureStdout: false",
    );
    expect(lines("stdout")).toEqual([]);
    expect(lines("stderr")).toEqual([[0, "err"]]);
    expect(result.stdout).toContain("out");

    await using other = tempDir();
    const after = await capturedRun(
      other.path,
      `console.log("during");\nawait run.close();\nconsole.log("after close");`,
    );
    expect(after.lines("stdout")).toEqual([[0, "during"]]);
    expect(after.result.stdout).toContain("after close");
  });

  it("continues console steps when a run is resumed in the same process", async () => {
    await using dir = tempDir();
    const result = await runScript(
      `const first = new Run({ runId: "again", captureHardwareMetrics: false, gitRef: false });
console.log("first session");
await first.close();
const second = new Run({ resumeRunId: "again", captureHardwareMetrics: false });
console.log("second session");
await second.close();`,
      { home: dir.path },
    );
    expect(result.exitCode).toBe(0);
    const contents = readRunFile(join(dir.path, "projects/default/runs/again.sqlite"));
    expect(contents.strings.map((row) => [row.step, row.value])).toEqual([
      [0, "first session"],
      [1, "second session"],
    ]);
  });
});

describe("tracebacks", () => {
  it("are not logged with captureTraceback: false, and the run still fails", async () => {
    await using dir = tempDir();
    const result = await runScript(
      `const run = new Run({ runId: "quiet", captureTraceback: false, captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
throw new Error("boom");`,
      { home: dir.path },
    );
    expect(result.exitCode).toBe(1);
    const contents = readRunFile(join(dir.path, "projects/default/runs/quiet.sqlite"));
    expect(contents.meta.status).toBe("failed");
    expect(contents.strings).toEqual([]);
  });
});
