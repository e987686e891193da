import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { RunActiveError } from "../../src/index.ts";
import { startFakeRemoteProcess } from "../helpers/fake-remote.ts";
import { readRunFile, seriesOf } from "../helpers/run-file.ts";
import { localRun, thrown } from "../helpers/runs.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";
import { waitForLine } from "../helpers/wait.ts";

const PYTHON_RUN = join(FIXTURES, "home/projects/default/runs/live-91aa.sqlite");

function runsDir(home: string, project = "default"): string {
  const dir = join(home, "projects", project, "runs");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function isoAgo(ms: number): string {
  return new Date(Date.now() - ms).toISOString().replace("Z", "+00:00");
}

/**
 * A live process that writes a run the way the Python client 0.4.0 does: its file
 * (a Python-written fixture), with this process recorded in `monitoring/<ns>/hostname`
 * and `monitoring/<ns>/pid` (FORMAT.md §8), its connection held open. It never writes
 * our heartbeat keys.
 */
function startPythonLikeWriter(file: string) {
  const dir = tempDir("goodseed-pywriter-");
  const script = join(dir.path, "writer.ts");
  writeFileSync(
    script,
    `import { Database } from "bun:sqlite";
import { copyFileSync } from "node:fs";
import { hostname } from "node:os";
const file = ${JSON.stringify(file)};
copyFileSync(${JSON.stringify(PYTHON_RUN)}, file);
const db = new Database(file);
db.run("PRAGMA journal_mode=WAL");
const now = new Date().toISOString().replace("Z", "+00:00");
db.run("UPDATE configs SET value = ?, updated_at = ? WHERE path LIKE 'monitoring/%/hostname'", [hostname(), now]);
db.run("UPDATE configs SET value = ?, updated_at = ? WHERE path LIKE 'monitoring/%/pid'", [String(process.pid), now]);
db.run("PRAGMA wal_checkpoint(TRUNCATE)");
console.log("ready");
setInterval(() => {}, 1000);
`,
  );
  const child = Bun.spawn([process.execPath, script], {
    stdout: "pipe",
    stderr: "inherit",
    stdin: "ignore",
  });
  return Object.assign(child, {
    [Symbol.dispose]() {
      child.kill("SIGKILL");
      dir[Symbol.dispose]();
    },
  });
}

describe("liveness of a run's writer", () => {
  it("refuses to take over a run whose Python-style writer on this host is alive, and resumes once it has exited", async () => {
    await using home = tempDir();
    const file = join(runsDir(home.path), "live.sqlite");
    using writer = startPythonLikeWriter(file);
    await waitForLine(writer, "ready");

    const error = thrown(() => localRun(home.path, { resumeRunId: "live" }));
    expect(error).toBeInstanceOf(RunActiveError);
    expect(error.message).toContain(`process ${writer.pid} on this host`);
    expect(error.message).toContain("monitoring/ecdb7677/pid");
    expect(readRunFile(file).meta.status).toBe("running");

    writer.kill("SIGKILL");
    await writer.exited;
    const warnings: string[] = [];
    const run = localRun(home.path, {
      resumeRunId: "live",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    expect(warnings[0]).toContain(`process ${writer.pid} on this host`);
    expect(warnings[0]).toContain("has exited");
    run.log("train/loss", 0.06, { step: 15 });
    await run.close();
    expect(readRunFile(file).meta.status).toBe("finished");
  });

  it("goodseed upload skips a run whose Python-style writer is alive, saying why", async () => {
    await using home = tempDir();
    await using fake = await startFakeRemoteProcess();
    const file = join(runsDir(home.path, "acme/vision"), "live.sqlite");
    using writer = startPythonLikeWriter(file);
    await waitForLine(writer, "ready");
    const upload = Bun.spawn(
      [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
      {
        env: {
          ...process.env,
          GOODSEED_HOME: home.path,
          GOODSEED_API_URL: fake.url,
          GOODSEED_API_KEY: "test-key",
        },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const stdout = await new Response(upload.stdout).text();
    await upload.exited;
    expect(stdout).toContain("Skipping run 'live'");
    expect(stdout).toContain(`process ${writer.pid} on this host`);
    expect((await fake.state()).requests.some((r) => r.path.includes("/runs/"))).toBe(false);
  });

  it("a writer on another host: a write-ahead log written moments ago means alive", async () => {
    await using home = tempDir();
    const file = join(runsDir(home.path), "elsewhere.sqlite");
    copyFileSync(PYTHON_RUN, file);
    // The Python writer on another host ('compat-fixture-host') has just committed a point.
    const db = new Database(file);
    db.run("PRAGMA journal_mode=WAL");
    db.run("PRAGMA wal_autocheckpoint=0");
    db.run(
      "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts) VALUES (1, 100, 0.5, ?)",
      [Math.floor(Date.now() / 1000) - 3600],
    );
    try {
      const error = thrown(() => localRun(home.path, { resumeRunId: "elsewhere" }));
      expect(error).toBeInstanceOf(RunActiveError);
      expect(error.message).toContain("compat-fixture-host");
      expect(error.message).toContain("write-ahead log was written");
    } finally {
      db.close();
    }
  });

  it("a writer on another host whose file has not changed for a minute is taken for dead, and the warning says why", async () => {
    await using home = tempDir();
    copyFileSync(PYTHON_RUN, join(runsDir(home.path), "old.sqlite"));
    const warnings: string[] = [];
    const run = localRun(home.path, {
      resumeRunId: "old",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    await run.close();
    expect(warnings[0]).toContain("compat-fixture-host");
    expect(warnings[0]).toContain("cannot be asked");
    expect(warnings[0]).toMatch(/written \d+ s ago/);
  });

  it("a suspended writer (SIGSTOP) on this host keeps its run, however old its heartbeat", async () => {
    await using home = tempDir();
    const child = spawnScript(
      `const run = new Run({ runId: "stopped", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
run.log("m", 1, { step: 0 });
run.exists("m");
console.log("ready");
setInterval(() => {}, 1000);`,
      { home: home.path },
    );
    const file = join(home.path, "projects/default/runs/stopped.sqlite");
    try {
      await waitForLine(child, "ready");
      child.kill("SIGSTOP");
      // As if it had been stopped for two minutes: its last heartbeat is that old.
      const db = new Database(file);
      db.run("PRAGMA busy_timeout=5000");
      db.run("UPDATE run_meta SET value = ? WHERE key = 'heartbeat_at'", [isoAgo(120_000)]);
      db.close();

      const error = thrown(() => localRun(home.path, { resumeRunId: "stopped" }));
      expect(error).toBeInstanceOf(RunActiveError);
      expect(error.message).toContain(`process ${child.pid} on this host`);

      child.kill("SIGCONT");
      child.kill("SIGKILL");
      await child.exited;
      const run = localRun(home.path, { resumeRunId: "stopped" });
      run.log("m", 2, { step: 1 });
      await run.close();
      expect(seriesOf(readRunFile(file), "m")).toEqual([
        { step: 0, y: 1 },
        { step: 1, y: 2 },
      ]);
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  });

  it("a pid now used by a later process does not keep a dead writer's run", async () => {
    await using home = tempDir();
    const file = join(runsDir(home.path), "reused.sqlite");
    const first = localRun(home.path, { runId: "reused" });
    await first.close();
    // This test process is alive, but it started after the writer recorded itself.
    const db = new Database(file);
    const entries: [string, string][] = [
      ["status", "running"],
      ["writer_host", hostname()],
      ["writer_pid", String(process.pid)],
      ["heartbeat_at", isoAgo(10 * 86_400_000)],
      ["writer_started_at", isoAgo(11 * 86_400_000)],
    ];
    for (const [key, value] of entries)
      db.run("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)", [key, value]);
    db.run("DELETE FROM configs WHERE path LIKE '%/pid'");
    db.close();
    const warnings: string[] = [];
    const run = localRun(home.path, {
      resumeRunId: "reused",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    await run.close();
    expect(warnings[0]).toContain("pid now belongs to a later process");
  });
});
