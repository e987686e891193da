import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { type GoodseedError, RunActiveError, RunNotFoundError } from "../../src/index.ts";
import { configOf, readRunFile, seriesOf } from "../helpers/run-file.ts";
import { localRun, thrown } from "../helpers/runs.ts";
import { runScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";

function setMeta(file: string, entries: Record<string, string>): void {
  const db = new Database(file);
  for (const [key, value] of Object.entries(entries)) {
    db.run("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)", [key, value]);
  }
  db.close();
}

describe("resume", () => {
  it("continues a finished run: status running again, auto-steps restored, closed_at cleared until close", async () => {
    await using dir = tempDir();
    const first = localRun(dir.path, { runId: "again", name: "Keep me", tags: ["t1"] });
    first.log("auto/x", 10);
    first.log("auto/x", 11);
    first.log("notes", "one");
    first.log("loss", 1, { step: 0 });
    await first.close();

    const warnings: string[] = [];
    const second = localRun(dir.path, {
      resumeRunId: "again",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    expect(second.runId).toBe("again");
    expect(second.name).toBe("Keep me");
    const during = readRunFile(second.file as string);
    expect(during.meta.status).toBe("running");
    expect(during.meta.closed_at).toBeUndefined();
    expect(configOf(during, "sys/state")?.value).toBe("running");
    second.log("auto/x", 12);
    second.log("notes", "two");
    second.log("loss", 0.5, { step: 1 });
    await second.close();
    expect(warnings).toEqual([]);

    const after = readRunFile(second.file as string);
    expect(after.meta.status).toBe("finished");
    expect(after.meta.name).toBe("Keep me");
    expect(after.meta.closed_at).toBeDefined();
    expect(seriesOf(after, "auto/x")).toEqual([
      { step: 0, y: 10 },
      { step: 1, y: 11 },
      { step: 2, y: 12 },
    ]);
    expect(after.strings.filter((r) => r.path === "notes").map((r) => [r.step, r.value])).toEqual([
      [0, "one"],
      [1, "two"],
    ]);
    expect(configOf(after, "sys/tags")?.value).toBe('["t1"]');
  });

  it("refuses a run that does not exist", async () => {
    await using dir = tempDir();
    const error = thrown(() => localRun(dir.path, { resumeRunId: "ghost" }));
    expect(error).toBeInstanceOf(RunNotFoundError);
    expect(error.message).toContain("ghost");
  });

  it("refuses a run whose writer is alive", async () => {
    await using dir = tempDir();
    const live = localRun(dir.path, { runId: "busy" });
    live.log("m", 1, { step: 0 });
    const error = thrown(() => localRun(dir.path, { resumeRunId: "busy" }));
    expect(error).toBeInstanceOf(RunActiveError);
    expect((error as GoodseedError).code).toBe("RUN_ACTIVE");
    expect(error.message).toContain("still running");
    await live.close();
  });

  it("resumes, with a warning, a run whose writer process on this host is gone", async () => {
    await using dir = tempDir();
    const result = await runScript(
      `const run = new Run({ runId: "orphan", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
       run.log("m", 1, { step: 0 });
       run.exists("m");
       process.kill(process.pid, "SIGKILL");`,
      { home: dir.path },
    );
    expect(result.signalCode).toBe("SIGKILL");
    const file = join(dir.path, "projects/default/runs/orphan.sqlite");
    expect(readRunFile(file).meta.status).toBe("running");

    const warnings: string[] = [];
    const resumed = localRun(dir.path, {
      resumeRunId: "orphan",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("left running");
    resumed.log("m", 2, { step: 1 });
    await resumed.close();
    expect(seriesOf(readRunFile(file), "m")).toEqual([
      { step: 0, y: 1 },
      { step: 1, y: 2 },
    ]);
  });

  it("resumes a run on another host only once its heartbeat is a minute old", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { runId: "remote" });
    await run.close();
    const file = run.file as string;
    // Only our heartbeat names the writer: the monitoring records of this process go.
    const db = new Database(file);
    db.run("DELETE FROM configs WHERE path LIKE 'monitoring/%'");
    db.close();
    const recent = new Date(Date.now() - 5_000).toISOString().replace("Z", "+00:00");
    setMeta(file, {
      status: "running",
      writer_host: `not-${hostname()}`,
      writer_pid: "1",
      heartbeat_at: recent,
    });
    expect(thrown(() => localRun(dir.path, { resumeRunId: "remote" }))).toBeInstanceOf(
      RunActiveError,
    );

    const stale = new Date(Date.now() - 61_000).toISOString().replace("Z", "+00:00");
    setMeta(file, { heartbeat_at: stale });
    const warnings: string[] = [];
    const resumed = localRun(dir.path, {
      resumeRunId: "remote",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    expect(warnings[0]).toContain("heartbeat");
    await resumed.close();
  });

  it("writes heartbeats while the run is open", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    const meta = readRunFile(run.file as string).meta;
    expect(meta.writer_pid).toBe(String(process.pid));
    expect(meta.writer_host).toBe(hostname());
    expect(Date.now() - Date.parse(meta.heartbeat_at as string)).toBeLessThan(30_000);
    await run.close();
  });
});
