import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Run } from "../../src/index.ts";
import { readRunFile, seriesOf } from "../helpers/run-file.ts";
import { localRun } from "../helpers/runs.ts";
import { compatHome, FIXTURES, tempDir } from "../helpers/temp-dir.ts";

interface ManifestRun {
  project: string;
  run_id: string;
  status: string;
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, "manifest.json"), "utf8")) as {
  runs: ManifestRun[];
};

function open(home: string, project: string, runId: string): Run {
  return localRun(home, { project, runId, readOnly: true });
}

function sqliteMaster(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .query("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master ORDER BY rowid")
      .all();
  } finally {
    db.close();
  }
}

describe("runs written by the Python client", () => {
  it("every one opens read-only, with its configs and series readable", async () => {
    await using compat = compatHome();
    for (const entry of manifest.runs) {
      const run = open(compat.home, entry.project, entry.run_id);
      expect(run.runId).toBe(entry.run_id);
      const configs = await run.getConfigs();
      expect(configs.find((c) => c.path === "sys/id")?.value).toBe(entry.run_id);
      expect(configs.find((c) => c.path === "sys/state")?.value).toBe(entry.status);
      for (const path of await run.getMetricPaths()) await run.getMetricData(path);
      for (const path of await run.getStringPaths()) await run.getStringData(path);
      await run.close();
    }
  });

  it("matrix-7f3a: every scalar type, exact big integers, byte-ordered paths, raw string values", async () => {
    await using compat = compatHome();
    const run = open(compat.home, "acme/vision", "matrix-7f3a");
    expect(run.name).toBe("Config matrix Alpha — naïve 日本");
    expect(run.get("cfg/int_beyond_2_53")).toBe(9223372036854775885n);
    expect(run.get("cfg/int_negative")).toBe(-3234);
    expect(run.get("cfg/bool_false")).toBe(false);
    expect(run.get("cfg/float_sum")).toBe(0.30000000000000004);
    expect(Object.is(run.get("cfg/float_negative_zero"), -0)).toBe(true);
    expect(run.get("cfg/float_tiny_denormal")).toBe(5e-324);
    expect(run.get("cfg/float_nan")).toBeNaN();
    expect(run.get("cfg/float_neg_inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(run.get("cfg/none")).toBeNull();
    expect(run.get("cfg/str_empty")).toBe("");
    expect(run.get("cfg/list_top_level")).toBe("[1, 'two', 3.0]");
    expect(run.get("cfg/overwritten")).toBe("now a string");
    expect(run.get("sys/name")).toBe("Config matrix Alpha (renamed)");
    expect(await run.getMetricPaths()).toEqual([
      "Zeta/upper",
      "batch/a",
      "batch/b",
      "big/step",
      "eval/acc",
      "eval/count",
      "eval/top-1 acc",
      "métriques/λ-rate",
      "neg/step",
      "special/inf",
      "train/loss",
      "weird/path",
    ]);
    const inf = await run.getMetricData("special/inf");
    expect(inf.downsampled ? [] : inf.rawPoints.map((p) => p.y)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1.5,
      Number.POSITIVE_INFINITY,
    ]);
    const big = await run.getMetricData("big/step");
    expect(big.downsampled ? [] : big.rawPoints.map((p) => p.step)).toEqual([1e15, 2 ** 53]);
    const notes = await run.getStringData("notes");
    expect(notes.map((p) => p.value)).toEqual([
      "line one\nline two\n  indented line three (Alpha)",
      "unicode: ünïcödé ✓ 🚀",
      "",
      "progress 10%\rprogress 100%",
      "control: tab\there, nul\u0000here, bell\u0007end",
      "overwritten value",
      "float step",
    ]);
    expect(notes.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 5.5]);
    expect(run.exists("eval/top-1 acc")).toBe(true);
    await run.close();
  });

  it("tagged-2c9d: string sets and datetimes", async () => {
    await using compat = compatHome();
    const run = open(compat.home, "default", "tagged-2c9d");
    expect(run.get("sys/tags")).toEqual(
      new Set(["Alpha", "Zeta", "aug", "gpu", "resnet", "résumé"]),
    );
    expect(run.get("extra/empty_set")).toEqual(new Set());
    expect(run.get("when/aware_micro")).toEqual(new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)));
    expect(run.get("when/naive")).toEqual(new Date(Date.UTC(2022, 5, 15, 12, 30)));
    expect(run.get("when/offset")).toEqual(new Date(Date.UTC(2021, 2, 3, 23, 36, 7, 0)));
    expect(run.get("when/date_only")).toBe("2020-12-31");
    await run.close();
  });

  it("crash-5e1b and sweep-large-88: tracebacks, console lines and a 20,000-point series", async () => {
    await using compat = compatHome();
    const crash = open(compat.home, "acme/vision", "crash-5e1b");
    const traceback = crash.get("monitoring/c8794256/traceback");
    expect(String(traceback)).toContain("ValueError: simulated training failure in Alpha");
    const stdout = await crash.getStringData("monitoring/c8794256/stdout");
    expect(stdout.map((p) => p.value)).toContain("progress 100%");
    await crash.close();

    const sweep = open(compat.home, "acme/vision", "sweep-large-88");
    const loss = await sweep.getMetricData("train/loss");
    expect(loss.downsampled ? 0 : loss.rawPoints.length).toBe(20_000);
    const small = await sweep.getMetricData("train/loss", { maxPoints: 100 });
    expect(small.downsampled && small.buckets.length).toBe(79);
    expect((await sweep.getStringData("log/lines", { limit: 5, offset: 495 })).length).toBe(5);
    await sweep.close();
  });

  it("a finished run resumes and extends, and the Python layout is kept", async () => {
    await using compat = compatHome();
    const file = join(compat.projects, "default/runs/resume-4d2e.sqlite");
    const before = readRunFile(file);
    const masterBefore = sqliteMaster(file);
    const run = localRun(compat.home, { project: "default", resumeRunId: "resume-4d2e" });
    run.log("train/loss", 0.05, { step: 10 });
    run.log("auto/x", 22);
    run.log("log", "session three");
    run.set("cfg/c", 3);
    await run.close();
    const after = readRunFile(file);
    expect(after.meta.status).toBe("finished");
    expect(after.meta.created_at).toBe(before.meta.created_at as string);
    expect(after.meta.name).toBe("Resumable Alpha");
    expect(seriesOf(after, "train/loss")).toHaveLength(11);
    // auto/x held steps 0, 1, 2: the restored auto-step continues at 3.
    expect(seriesOf(after, "auto/x").map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect(after.strings.filter((r) => r.path === "log").map((r) => r.value)).toEqual([
      "session one",
      "session two",
      "session three",
    ]);
    expect(sqliteMaster(file)).toEqual(masterBefore);
  });

  it("a run the Python client left running (no heartbeat) resumes with a warning", async () => {
    await using compat = compatHome();
    const warnings: string[] = [];
    const run = localRun(compat.home, {
      project: "default",
      resumeRunId: "live-91aa",
      logger: { warn: (m) => warnings.push(m), error: () => {} },
    });
    expect(warnings[0]).toContain("live-91aa");
    run.log("train/loss", 0.06, { step: 15 });
    await run.close();
    expect(readRunFile(run.file as string).meta.status).toBe("finished");
  });

  it("a file we write has the same sqlite_master as theirs", async () => {
    await using dir = tempDir();
    await using compat = compatHome();
    const run = localRun(dir.path);
    run.log("m", 1, { step: 0 });
    run.log("s", "x", { step: 0 });
    await run.close();
    expect(sqliteMaster(run.file as string)).toEqual(
      sqliteMaster(join(compat.projects, "acme/vision/runs/matrix-7f3a.sqlite")),
    );
    const db = new Database(run.file as string, { readonly: true });
    const pragmas = [
      "page_size",
      "journal_mode",
      "auto_vacuum",
      "user_version",
      "application_id",
      "encoding",
    ].map((name) => Object.values(db.query(`PRAGMA ${name}`).get() as object)[0]);
    db.close();
    expect(pragmas).toEqual([4096, "wal", 0, 0, 0, "UTF-8"]);
  });
});
