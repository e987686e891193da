import { describe, expect, it } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  GitRef,
  GoodseedError,
  InvalidOptionError,
  ReadOnlyRunError,
  Run,
  RunClosedError,
  Storage,
  StorageDisabledError,
  StorageUnavailableError,
  withRun,
} from "../../src/index.ts";
import { configOf, readRunFile, seriesOf } from "../helpers/run-file.ts";
import { localRun, rejected, thrown } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";

describe("new Run()", () => {
  it("creates <home>/projects/<project>/runs/<runId>.sqlite with the sys/ configs and run_meta", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, {
      project: "acme/vision",
      runId: "exp-1",
      name: "Baseline",
      description: "first try",
      tags: ["b", "a"],
    });
    expect(run.runId).toBe("exp-1");
    expect(run.project).toBe("acme/vision");
    expect(run.name).toBe("Baseline");
    expect(run.file).toBe(join(dir.path, "projects/acme/vision/runs/exp-1.sqlite"));
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(contents.meta).toMatchObject({
      schema_version: "1",
      run_id: "exp-1",
      project: "acme/vision",
      name: "Baseline",
      status: "finished",
    });
    expect(contents.meta.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    expect(contents.meta.closed_at).toMatch(/\+00:00$/);
    const paths = contents.configs.map((row) => row.path);
    // Created in this order; close rewrites sys/state, which moves it to the end.
    expect(paths.slice(0, 5)).toEqual([
      "sys/id",
      "sys/creation_time",
      "sys/name",
      "sys/description",
      "sys/tags",
    ]);
    expect(paths.slice(-2)).toEqual(["sys/state", "sys/closed_time"]);
    expect(configOf(contents, "sys/tags")?.value).toBe('["a", "b"]');
    expect(configOf(contents, "sys/state")?.value).toBe("finished");
    expect(configOf(contents, "sys/closed_time")?.type_tag).toBe("str");
    expect(contents.configs.every((row) => row.uploaded === 0)).toBe(true);
  });

  it("generates a readable adjective-animal id", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    expect(run.runId).toMatch(/^[a-z]+-[a-z]+(-\d+)?$/);
    expect(run.project).toBe("default");
    await run.close();
  });

  it("never reuses an existing run's file for a generated id", async () => {
    await using dir = tempDir();
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const run = localRun(dir.path, { project: "many" });
      ids.add(run.runId);
      await run.close();
    }
    expect(ids.size).toBe(40);
    expect(
      readdirSync(join(dir.path, "projects/many/runs")).filter((f) => f.endsWith(".sqlite")),
    ).toHaveLength(40);
  });

  it("refuses an explicit runId that exists and says to resume", async () => {
    await using dir = tempDir();
    await localRun(dir.path, { runId: "taken" }).close();
    const error = thrown(() => localRun(dir.path, { runId: "taken" }));
    expect(error).toBeInstanceOf(GoodseedError);
    expect((error as GoodseedError).code).toBe("RUN_EXISTS");
    expect(error.message).toContain("resumeRunId");
  });

  it("validates runId, project and name", async () => {
    await using dir = tempDir();
    for (const runId of ["-bad", "has space", "a/b", "x".repeat(129)]) {
      expect(thrown(() => localRun(dir.path, { runId }))).toBeInstanceOf(InvalidOptionError);
    }
    for (const project of ["../escape", "/abs", "a//b", "a/./b", "a\\b"]) {
      expect(thrown(() => localRun(dir.path, { project }))).toBeInstanceOf(InvalidOptionError);
    }
    expect(thrown(() => localRun(dir.path, { name: "x".repeat(201) }))).toBeInstanceOf(TypeError);
    expect(thrown(() => localRun(dir.path, { name: "bad\u202ename" }))).toBeInstanceOf(TypeError);
    expect(existsSync(join(dir.path, "projects/escape"))).toBe(false);
  });

  it("refuses runId together with resumeRunId", async () => {
    await using dir = tempDir();
    const error = thrown(() => localRun(dir.path, { runId: "a", resumeRunId: "b" }));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.message).toContain("resumeRunId");
  });

  it("puts the file in logDir when given", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { logDir: join(dir.path, "elsewhere"), runId: "here" });
    await run.close();
    expect(run.file).toBe(join(dir.path, "elsewhere/here.sqlite"));
    expect(existsSync(run.file as string)).toBe(true);
  });

  it("fails for storage 'cloud' (the default) with a message that names storage 'local'", async () => {
    await using dir = tempDir();
    const error = thrown(() => new Run({ goodseedHome: dir.path }));
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error.message).toContain("storage: 'local'");
    expect(error.message).toContain("default");
    expect(thrown(() => new Run({ goodseedHome: dir.path, storage: "cloud" }))).toBeInstanceOf(
      StorageUnavailableError,
    );
  });

  it("exports the Storage values and GitRef", () => {
    expect(Storage).toEqual({ Disabled: "disabled", Local: "local", Cloud: "cloud" });
    expect(GitRef.DISABLED.disabled).toBe(true);
    expect(new GitRef({ repositoryPath: "/x" }).repositoryPath).toBe("/x");
  });
});

describe("environment and config file defaults", () => {
  function withEnv<T>(env: Record<string, string>, body: () => T): T {
    const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    try {
      return body();
    } finally {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }

  it("takes home, project, run id and storage from GOODSEED_* when no option is given", async () => {
    await using dir = tempDir();
    const run = withEnv(
      {
        GOODSEED_HOME: dir.path,
        GOODSEED_PROJECT: "env/proj",
        GOODSEED_RUN_ID: "env-id",
        GOODSEED_STORAGE: "local",
      },
      () => new Run({ captureTraceback: false }),
    );
    expect(run.project).toBe("env/proj");
    expect(run.runId).toBe("env-id");
    expect(run.file).toBe(join(dir.path, "projects/env/proj/runs/env-id.sqlite"));
    await run.close();
  });

  it("lets explicit options win over the environment", async () => {
    await using dir = tempDir();
    const run = withEnv({ GOODSEED_PROJECT: "env/proj", GOODSEED_STORAGE: "cloud" }, () =>
      localRun(dir.path, { project: "explicit" }),
    );
    expect(run.project).toBe("explicit");
    await run.close();
  });

  it("reads project and storage from the config file in GOODSEED_HOME", async () => {
    await using dir = tempDir();
    await Bun.write(
      join(dir.path, "config.json"),
      JSON.stringify({ project: "from/file", storage: "local" }),
    );
    const run = new Run({ goodseedHome: dir.path, captureTraceback: false });
    expect(run.project).toBe("from/file");
    await run.close();
    const fromEnv = withEnv(
      { GOODSEED_PROJECT: "env/wins" },
      () => new Run({ goodseedHome: dir.path }),
    );
    expect(fromEnv.project).toBe("env/wins");
    await fromEnv.close();
  });

  it("rejects an unknown storage mode", async () => {
    await using dir = tempDir();
    const error = withEnv({ GOODSEED_STORAGE: "s3" }, () =>
      thrown(() => new Run({ goodseedHome: dir.path })),
    );
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.message).toContain("GOODSEED_STORAGE");
  });
});

describe("writing", () => {
  it("set() flattens plain objects, Maps and arrays under the path", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.set("score", 0.97);
    run.set("parameters", {
      lr: 0.001,
      optimizer: { name: "adam", betas: [0.9, 0.999] },
      empty: {},
    });
    run.set(
      "mapped",
      new Map<string, unknown>([
        ["a", 1],
        ["b", new Map([["c", "d"]])],
      ]),
    );
    run.set("/slashes/", "stripped");
    await run.close();
    const contents = readRunFile(run.file as string);
    const get = (path: string) => configOf(contents, path);
    expect(get("score")).toMatchObject({ type_tag: "float", value: "0.97" });
    expect(get("parameters/lr")).toMatchObject({ type_tag: "float", value: "0.001" });
    expect(get("parameters/optimizer/name")).toMatchObject({ type_tag: "str", value: "adam" });
    expect(get("parameters/optimizer/betas/1")).toMatchObject({
      type_tag: "float",
      value: "0.999",
    });
    expect(get("parameters/empty")).toBeUndefined();
    expect(get("mapped/a")).toMatchObject({ type_tag: "int", value: "1" });
    expect(get("mapped/b/c")).toMatchObject({ type_tag: "str", value: "d" });
    expect(get("slashes")).toMatchObject({ value: "stripped" });
    // One call, one updated_at.
    const stamps = new Set(
      contents.configs.filter((r) => r.path.startsWith("parameters/")).map((r) => r.updated_at),
    );
    expect(stamps.size).toBe(1);
  });

  it("logConfigs flattens by default and stores containers as JSON with flatten: false", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.logConfigs({ model: { hidden: 256 }, lr: 0.1, list: [1, "two"] });
    run.logConfigs({ raw: { a: 1, b: [1, 2] }, rawList: [1, 2] }, { flatten: false });
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(configOf(contents, "model/hidden")).toMatchObject({ type_tag: "int", value: "256" });
    expect(configOf(contents, "lr")).toMatchObject({ type_tag: "float", value: "0.1" });
    expect(configOf(contents, "list/1")).toMatchObject({ type_tag: "str", value: "two" });
    expect(configOf(contents, "raw")).toMatchObject({
      type_tag: "str",
      value: '{"a":1,"b":[1,2]}',
    });
    expect(configOf(contents, "rawList")).toMatchObject({ type_tag: "str", value: "[1,2]" });
  });

  it("a rewritten config replaces the row (its type may change) and moves to the end", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.set("cfg/overwritten", 1);
    run.set("cfg/other", 2);
    run.set("cfg/overwritten", "now a string");
    await run.close();
    const rows = readRunFile(run.file as string).configs.filter((r) => r.path.startsWith("cfg/"));
    expect(rows.map((r) => [r.path, r.type_tag, r.value])).toEqual([
      ["cfg/other", "int", "2"],
      ["cfg/overwritten", "str", "now a string"],
    ]);
  });

  it("log() writes numbers to metric series and strings to string series; a step is overwritten", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("train/loss", 0.9, { step: 0 });
    run.log("train/loss", 0.8, { step: 1 });
    run.log("train/loss", 0.7, { step: 1 });
    run.log("train/loss", 0.5, { step: 2.5 });
    run.log("train/loss", 0.4, { step: -3 });
    run.log("big", 1, { step: 2 ** 53 + 1 });
    run.log("big", 2n, { step: 3 });
    run.log("notes", "line one\nline two", { step: 0 });
    run.log("notes", "", { step: 1 });
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(seriesOf(contents, "train/loss")).toEqual([
      { step: -3, y: 0.4 },
      { step: 0, y: 0.9 },
      { step: 1, y: 0.7 },
      { step: 2.5, y: 0.5 },
    ]);
    expect(seriesOf(contents, "big")).toEqual([
      { step: 3, y: 2 },
      { step: 2 ** 53, y: 1 },
    ]);
    expect(contents.strings.map((r) => [r.path, r.step, r.value])).toEqual([
      ["notes", 0, "line one\nline two"],
      ["notes", 1, ""],
    ]);
  });

  it("NaN and ±Infinity are valid metric values and round-trip", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("diverging", Number.NaN, { step: 0 });
    run.log("diverging", Number.POSITIVE_INFINITY, { step: 1 });
    run.logMetrics({ diverging: Number.NEGATIVE_INFINITY, fine: 1 }, { step: 2 });
    const data = await run.getMetricData("diverging");
    expect(data.downsampled).toBe(false);
    if (!data.downsampled) {
      expect(data.rawPoints.map((p) => p.y)).toEqual([
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ]);
    }
    await run.close();
    // NaN is stored as the TEXT 'NaN', never NULL; the infinities as REAL.
    expect(seriesOf(readRunFile(run.file as string), "diverging").map((p) => p.y)).toEqual([
      "NaN",
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
  });

  it("logMetrics and logStrings write one ts for the whole call", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.logMetrics({ a: 1, b: 2, c: 3 }, { step: 5 });
    run.logMetrics(new Map([["d", 4]]), { step: 5 });
    run.logStrings({ s1: "x", s2: "y" }, { step: 7 });
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(contents.metrics.map((r) => [r.path, r.step, r.y])).toEqual([
      ["a", 5, 1],
      ["b", 5, 2],
      ["c", 5, 3],
      ["d", 5, 4],
    ]);
    expect(new Set(contents.metrics.slice(0, 3).map((r) => r.ts)).size).toBe(1);
    expect(contents.strings.map((r) => [r.path, r.step, r.value])).toEqual([
      ["s1", 7, "x"],
      ["s2", 7, "y"],
    ]);
    const now = Math.floor(Date.now() / 1000);
    for (const row of contents.metrics) expect(Math.abs(row.ts - now)).toBeLessThan(10);
  });

  it("auto-steps count per path from 0, shared by metrics and strings, and jump past explicit steps", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("auto", 1);
    run.log("auto", 2);
    run.log("auto", "text");
    run.log("auto", 10, { step: 10 });
    run.log("auto", 11);
    run.logMetrics({ other: 5 });
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(seriesOf(contents, "auto").map((p) => p.step)).toEqual([0, 1, 10, 11]);
    expect(contents.strings.map((r) => r.step)).toEqual([2]);
    expect(seriesOf(contents, "other").map((p) => p.step)).toEqual([0]);
  });

  it("add() and remove() edit string sets such as sys/tags", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { tags: ["resnet"] });
    run.add("sys/tags", "gpu");
    run.add("sys/tags", ["aug", "Zeta"]);
    run.remove("sys/tags", "resnet");
    run.remove("sys/tags", ["nope"]);
    run.add("extra/new", "first");
    run.remove("missing/set", "x");
    expect(run.get("sys/tags")).toEqual(new Set(["gpu", "aug", "Zeta"]));
    run.set("scalar", 1);
    expect(thrown(() => run.add("scalar", "x"))).toBeInstanceOf(TypeError);
    expect(thrown(() => run.remove("scalar", "x"))).toBeInstanceOf(TypeError);
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(configOf(contents, "sys/tags")?.value).toBe('["Zeta", "aug", "gpu"]');
    expect(configOf(contents, "extra/new")?.value).toBe('["first"]');
    expect(configOf(contents, "missing/set")).toBeUndefined();
  });

  it("setting sys/name renames the run in run_meta too", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { name: "old" });
    run.set("sys/name", "new name");
    expect(run.name).toBe("new name");
    expect(thrown(() => run.set("sys/name", "bad\u0000"))).toBeInstanceOf(TypeError);
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(contents.meta.name).toBe("new name");
    expect(configOf(contents, "sys/name")?.value).toBe("new name");
  });
});

describe("reading", () => {
  it("exists() and get() see configs and series, including what was just logged", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.set("cfg", "v");
    for (let step = 0; step < 500; step++) run.log("m", step * 2, { step });
    run.log("s", "first", { step: 0 });
    run.log("s", "last", { step: 9 });
    expect(run.exists("cfg")).toBe(true);
    expect(run.exists("/m/")).toBe(true);
    expect(run.exists("s")).toBe(true);
    expect(run.exists("nothing")).toBe(false);
    expect(run.get("cfg")).toBe("v");
    expect(run.get("m")).toBe(998);
    expect(run.get("s")).toBe("last");
    await run.close();
  });

  it("the five read methods work on an open run and on a read-only one", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { runId: "readable", name: "R" });
    run.logConfigs({ a: 1, b: "x" });
    for (let step = 0; step < 100; step++) run.log("loss", 100 - step, { step });
    run.log("acc", 0.5, { step: 0 });
    for (let step = 0; step < 10; step++) run.log("log/lines", `line ${step}`, { step });

    const check = async (target: Run) => {
      expect(await target.getMetricPaths()).toEqual(["acc", "loss"]);
      expect(await target.getStringPaths()).toEqual(["log/lines"]);
      const raw = await target.getMetricData("loss", { stepMin: 10, stepMax: 19 });
      expect(raw).toMatchObject({ path: "loss", downsampled: false });
      if (!raw.downsampled) expect(raw.rawPoints).toHaveLength(10);
      const buckets = await target.getMetricData("loss", { maxPoints: 10 });
      expect(buckets.downsampled).toBe(true);
      if (buckets.downsampled) {
        expect(buckets.buckets.length).toBeLessThanOrEqual(10);
        expect(buckets.buckets[0]).toMatchObject({ stepMin: 0, yMax: 100 });
      }
      expect(
        (await target.getStringData("log/lines", { limit: 3, offset: 2 })).map((p) => p.value),
      ).toEqual(["line 2", "line 3", "line 4"]);
      const configs = await target.getConfigs();
      expect(configs.find((c) => c.path === "a")).toMatchObject({ typeTag: "int", value: 1 });
      expect(configs.find((c) => c.path === "b")?.updatedAt).toMatch(/\+00:00$/);
    };
    await check(run);
    await run.close();
    await check(run);
    const reader = localRun(dir.path, { runId: "readable", readOnly: true });
    expect(reader.name).toBe("R");
    await check(reader);
    for (const write of [
      () => reader.set("x", 1),
      () => reader.log("x", 1),
      () => reader.logMetrics({ x: 1 }),
      () => reader.logStrings({ x: "1" }),
      () => reader.logConfigs({ x: 1 }),
      () => reader.add("sys/tags", "x"),
      () => reader.remove("sys/tags", "x"),
    ]) {
      expect(thrown(write)).toBeInstanceOf(ReadOnlyRunError);
    }
    await reader.close();
    expect(readdirSync(dirname(run.file as string))).toEqual(
      expect.arrayContaining(["readable.sqlite"]),
    );
  });

  it("read-only needs an existing run", async () => {
    await using dir = tempDir();
    expect(thrown(() => localRun(dir.path, { readOnly: true }))).toBeInstanceOf(InvalidOptionError);
    const missing = thrown(() => localRun(dir.path, { readOnly: true, runId: "nope" }));
    expect((missing as GoodseedError).code).toBe("RUN_NOT_FOUND");
  });
});

describe("storage 'disabled'", () => {
  it("makes writes silent no-ops and reads throw", async () => {
    await using dir = tempDir();
    const run = new Run({ storage: "disabled", goodseedHome: dir.path });
    expect(run.runId).toBe("");
    run.set("a", 1);
    run.log("m", 1, { step: 0 });
    run.logMetrics({ m: 1 });
    run.logStrings({ s: "x" });
    run.logConfigs({ c: 1 });
    run.add("sys/tags", "x");
    run.remove("sys/tags", "x");
    expect(thrown(() => run.exists("a"))).toBeInstanceOf(StorageDisabledError);
    expect(thrown(() => run.get("a"))).toBeInstanceOf(StorageDisabledError);
    expect(await rejected(() => run.getMetricPaths())).toBeInstanceOf(StorageDisabledError);
    expect(await rejected(() => run.getConfigs())).toBeInstanceOf(StorageDisabledError);
    run.sync();
    await run.wait({ timeoutMs: 10 });
    await run.close();
    expect(existsSync(join(dir.path, "projects"))).toBe(false);
  });
});

describe("closing", () => {
  it("close(status) writes the status, is idempotent, leaves one file, and later writes throw", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { runId: "closing" });
    run.log("m", 1, { step: 0 });
    run.sync();
    await run.wait({ timeoutMs: 100 });
    await run.close("aborted");
    await run.close("finished");
    expect(run.closed).toBe(true);
    expect(readdirSync(dirname(run.file as string))).toEqual(["closing.sqlite"]);
    const contents = readRunFile(run.file as string);
    expect(contents.meta.status).toBe("aborted");
    expect(configOf(contents, "sys/state")?.value).toBe("aborted");
    for (const write of [
      () => run.log("m", 2, { step: 1 }),
      () => run.set("x", 1),
      () => run.logMetrics({ m: 1 }),
    ]) {
      const error = thrown(write);
      expect(error).toBeInstanceOf(RunClosedError);
      expect(error.message).toContain("resumeRunId");
    }
  });

  it("await using closes the run 'finished'", async () => {
    await using dir = tempDir();
    let file = "";
    {
      await using run = localRun(dir.path);
      run.log("m", 1, { step: 0 });
      file = run.file as string;
    }
    expect(readRunFile(file).meta.status).toBe("finished");
  });

  it("withRun closes 'finished' and returns the callback's value", async () => {
    await using dir = tempDir();
    let file = "";
    const value = await withRun(
      { storage: "local", goodseedHome: dir.path, captureStdout: false, captureStderr: false },
      async (run) => {
        file = run.file as string;
        run.log("m", 1, { step: 0 });
        return 42;
      },
    );
    expect(value).toBe(42);
    expect(readRunFile(file).meta.status).toBe("finished");
  });

  it("withRun closes 'failed' with the traceback and the cause chain, then rethrows", async () => {
    await using dir = tempDir();
    let run: Run | undefined;
    const boom = new Error("training diverged", { cause: new RangeError("lr too high") });
    const error = await rejected(() =>
      withRun(
        { storage: "local", goodseedHome: dir.path, captureStdout: false, captureStderr: false },
        (r) => {
          run = r;
          throw boom;
        },
      ),
    );
    expect(error).toBe(boom);
    const contents = readRunFile(run?.file as string);
    expect(contents.meta.status).toBe("failed");
    const traceback = contents.strings.find(
      (r) => r.path === `${run?.monitoringNamespace}/traceback`,
    );
    expect(traceback?.value).toContain("Error: training diverged");
    expect(traceback?.value).toContain("Caused by: RangeError: lr too high");
    expect(traceback?.value.endsWith("\n")).toBe(true);
    expect(run?.monitoringNamespace).toMatch(/^monitoring\/[0-9a-f]{8}$/);
  });
});
