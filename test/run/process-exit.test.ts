import { describe, expect, it } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readRunFile } from "../helpers/run-file.ts";
import { runScript, spawnScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

const OPEN = `const run = new Run({ runId: "exit", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
for (let step = 0; step < 100; step++) run.log("m", step, { step });
`;

function runOf(home: string) {
  const file = join(home, "projects/default/runs/exit.sqlite");
  // List first: reading the file opens it, and a reader may create -wal/-shm beside it.
  const files = readdirSync(join(home, "projects/default/runs"));
  const contents = readRunFile(file);
  const traceback = contents.strings.find((row) => row.path.endsWith("/traceback"));
  return { contents, traceback, files };
}

describe("process exit", () => {
  it("closes an unclosed run 'finished' with everything logged, as one file", async () => {
    await using dir = tempDir();
    const result = await runScript(OPEN, { home: dir.path });
    expect(result.exitCode).toBe(0);
    const { contents, files } = runOf(dir.path);
    expect(contents.meta.status).toBe("finished");
    expect(contents.metrics).toHaveLength(100);
    expect(files).toEqual(["exit.sqlite"]);
  });

  it("closes it on process.exit() too; a non-zero code means 'failed'", async () => {
    await using dir = tempDir();
    const result = await runScript(`${OPEN}process.exit(3);`, { home: dir.path });
    expect(result.exitCode).toBe(3);
    const { contents } = runOf(dir.path);
    expect(contents.meta.status).toBe("failed");
    expect(contents.metrics).toHaveLength(100);
  });

  it("an uncaught exception marks the run 'failed' with its traceback, and the process still fails", async () => {
    await using dir = tempDir();
    const result = await runScript(
      `${OPEN}function train() { throw new Error("loss exploded", { cause: new TypeError("bad batch") }); }
train();`,
      { home: dir.path },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("loss exploded");
    const { contents, traceback } = runOf(dir.path);
    expect(contents.meta.status).toBe("failed");
    expect(contents.metrics).toHaveLength(100);
    expect(traceback?.value).toContain("Error: loss exploded");
    expect(traceback?.value).toContain("at train");
    expect(traceback?.value).toContain("Caused by: TypeError: bad batch");
  });

  it("an exception thrown later, from a timer, does the same", async () => {
    await using dir = tempDir();
    const result = await runScript(
      `${OPEN}setTimeout(() => { throw new RangeError("late"); }, 20);`,
      {
        home: dir.path,
      },
    );
    expect(result.exitCode).toBe(1);
    const { contents, traceback } = runOf(dir.path);
    expect(contents.meta.status).toBe("failed");
    expect(traceback?.value).toContain("RangeError: late");
  });

  it("an unhandled rejection does the same", async () => {
    await using dir = tempDir();
    const result = await runScript(`${OPEN}Promise.reject(new Error("nobody caught me"));`, {
      home: dir.path,
    });
    expect(result.exitCode).toBe(1);
    const { contents, traceback } = runOf(dir.path);
    expect(contents.meta.status).toBe("failed");
    expect(traceback?.value).toContain("nobody caught me");
  });

  it("a rejection the program handles itself leaves the run open", async () => {
    await using dir = tempDir();
    const result = await runScript(
      `${OPEN}process.on("unhandledRejection", () => {});
Promise.reject(new Error("handled"));
await Bun.sleep(50);
run.log("m", 1000, { step: 100 });`,
      { home: dir.path },
    );
    expect(result.exitCode).toBe(0);
    const { contents, traceback } = runOf(dir.path);
    expect(contents.meta.status).toBe("finished");
    expect(contents.metrics).toHaveLength(101);
    expect(traceback).toBeUndefined();
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} closes the run 'failed', then ends the process by the signal`, async () => {
      await using dir = tempDir();
      const child = spawnScript(
        `${OPEN}run.exists("m");\nconsole.log("ready");\nsetInterval(() => {}, 1000);`,
        {
          home: dir.path,
        },
      );
      try {
        const reader = child.stdout.getReader();
        await waitFor(async () => {
          const { value } = await reader.read();
          return value !== undefined && new TextDecoder().decode(value).includes("ready");
        }, "the script to start");
        child.kill(signal);
        await child.exited;
        expect(child.signalCode).toBe(signal);
        const { contents, traceback, files } = runOf(dir.path);
        expect(contents.meta.status).toBe("failed");
        expect(contents.metrics).toHaveLength(100);
        expect(traceback?.value).toContain(`Interrupted by ${signal}`);
        expect(files).toEqual(["exit.sqlite"]);
      } finally {
        child.kill("SIGKILL");
        child.cleanup();
      }
    });
  }

  it("the writer never keeps a finished script alive", async () => {
    await using dir = tempDir();
    // A script the writer kept alive would be killed at runScript's timeout, with no exit code.
    const result = await runScript(`${OPEN}await run.close();`, { home: dir.path });
    expect(result.signalCode).toBeNull();
    expect(result.exitCode).toBe(0);
    expect(runOf(dir.path).contents.meta.status).toBe("finished");
  });
});
