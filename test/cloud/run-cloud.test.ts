import { describe, expect, it } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { GoodseedError, Run, StorageError, StorageUnavailableError } from "../../src/index.ts";
import { startFakeRemoteProcess } from "../helpers/fake-remote.ts";
import { localRun, rejected, thrown } from "../helpers/runs.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";

type Options = ConstructorParameters<typeof Run>[0];

function withApi<T>(url: string, body: () => T): T {
  const saved = process.env.GOODSEED_API_URL;
  process.env.GOODSEED_API_URL = url;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.GOODSEED_API_URL;
    else process.env.GOODSEED_API_URL = saved;
  }
}

function cloudRun(url: string, home: string, options: Options = {}): Run {
  return withApi(url, () => localRun(home, { storage: "cloud", apiKey: "test-key", ...options }));
}

describe("cloud runs", () => {
  it("need an API key, and say where to put it", async () => {
    await using dir = tempDir();
    const error = thrown(() => new Run({ storage: "cloud", goodseedHome: dir.path }));
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error.message).toContain("GOODSEED_API_KEY");
    expect(error.message).toContain("storage: 'local'");
  });

  it("put a project without a workspace into the user's default one", async () => {
    await using dir = tempDir();
    await using fake = await startFakeRemoteProcess({ workspace: "team-x" });
    const run = cloudRun(fake.url, dir.path, { project: "vision", runId: "ws" });
    expect(run.project).toBe("team-x/vision");
    expect(run.file).toBe(join(dir.path, "projects/team-x/vision/runs/ws.sqlite"));
    await run.close();
    const state = await fake.state();
    expect(state.runs[0]).toMatchObject({
      workspace: "team-x",
      project: "vision",
      runId: "ws",
      status: "finished",
    });
  });

  it("throw at construction for a refused key or an unknown project, leaving no file", async () => {
    await using dir = tempDir();
    await using fake = await startFakeRemoteProcess({ missingProjects: ["acme/nope"] });
    const missing = thrown(() =>
      cloudRun(fake.url, dir.path, { project: "acme/nope", runId: "x" }),
    );
    expect(missing).toBeInstanceOf(StorageError);
    expect(missing.message).toContain("acme/nope");
    expect(missing.message).toContain("create it");
    const refused = thrown(() =>
      cloudRun(fake.url, dir.path, { project: "acme/vision", runId: "y", apiKey: "wrong" }),
    );
    expect(refused).toBeInstanceOf(GoodseedError);
    expect(refused.message).toContain("refused");
    for (const project of ["acme/nope", "acme/vision"]) {
      const runs = join(dir.path, "projects", project, "runs");
      expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
    }
  });

  it("log locally when the API is unreachable, and say how to upload later", async () => {
    await using dir = tempDir();
    const warnings: string[] = [];
    const logger = {
      warn: (m: string) => warnings.push(m),
      error: (m: string) => warnings.push(m),
    };
    const run = cloudRun("http://127.0.0.1:9", dir.path, {
      project: "acme/vision",
      runId: "offline",
      logger,
    });
    run.log("loss", 1, { step: 0 });
    const started = Date.now();
    await run.close("finished", { uploadTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(
      warnings.some((w) => w.includes("goodseed upload -p acme/vision --run-id offline")),
    ).toBe(true);
    expect(readdirSync(join(dir.path, "projects/acme/vision/runs"))).toEqual(["offline.sqlite"]);
  });

  it("sync() and wait() get everything logged so far to the API while the run stays open", async () => {
    await using dir = tempDir();
    await using fake = await startFakeRemoteProcess();
    const run = cloudRun(fake.url, dir.path, { project: "acme/vision", runId: "waited" });
    for (let step = 0; step < 1000; step++) run.log("loss", 1 / (step + 1), { step });
    run.sync();
    await run.wait({ timeoutMs: 20_000 });
    const state = await fake.state();
    expect(Object.keys(state.runs[0]?.metrics ?? {})).toHaveLength(1000);
    expect(state.runs[0]?.status).toBeUndefined();
    await run.close();
    expect((await fake.state()).runs[0]?.status).toBe("finished");
  });

  it("read back through the API when opened read-only, without creating anything", async () => {
    await using dir = tempDir();
    await using fake = await startFakeRemoteProcess();
    const run = cloudRun(fake.url, dir.path, {
      project: "acme/vision",
      runId: "readable",
      name: "Readable",
    });
    run.set("cfg", { lr: 0.5, tags: new Set(["a"]) });
    for (let step = 0; step < 10; step++) run.log("loss", step * 2, { step });
    run.log("notes", "first", { step: 0 });
    run.log("notes", "second", { step: 1 });
    await run.close();
    const requestsBefore = (await fake.state()).requests.length;
    const reader = cloudRun(fake.url, join(dir.path, "other"), {
      project: "acme/vision",
      runId: "readable",
      readOnly: true,
    });
    expect(await reader.getMetricPaths()).toEqual(["loss"]);
    expect(await reader.getStringPaths()).toEqual(["notes"]);
    const data = await reader.getMetricData("loss");
    expect(data.downsampled ? [] : data.rawPoints.map((p) => p.y)).toEqual([
      0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
    ]);
    expect(
      (await reader.getStringData("notes", { limit: 1, offset: 1 })).map((p) => p.value),
    ).toEqual(["second"]);
    const configs = await reader.getConfigs();
    expect(configs.find((c) => c.path === "cfg/lr")?.value).toBe(0.5);
    expect(reader.get("cfg/tags")).toEqual(new Set(["a"]));
    expect(reader.get("loss")).toBe(18);
    expect(reader.get("notes")).toBe("second");
    expect(reader.exists("loss")).toBe(true);
    expect(reader.exists("nope")).toBe(false);
    expect(existsSync(join(dir.path, "other"))).toBe(false);
    const state = await fake.state();
    expect(state.runs).toHaveLength(1);
    expect(state.requests.slice(requestsBefore).every((request) => request.method === "GET")).toBe(
      true,
    );
    await reader.close();
    const missing = await rejected(async () =>
      cloudRun(fake.url, dir.path, { project: "acme/vision", runId: "ghost", readOnly: true }),
    );
    expect((missing as GoodseedError).code).toBe("RUN_NOT_FOUND");
  });
});

describe("goodseed upload", () => {
  it("uploads local runs once, shows progress, and needs a key", async () => {
    await using dir = tempDir();
    await using fake = await startFakeRemoteProcess();
    for (const runId of ["one", "two"]) {
      const run = new Run({
        storage: "local",
        goodseedHome: dir.path,
        project: "team/p",
        runId,
        captureStdout: false,
        captureStderr: false,
        captureHardwareMetrics: false,
        gitRef: false,
      });
      for (let step = 0; step < 7000; step++) run.log("loss", step, { step });
      await run.close();
    }
    const cli = (args: string[], env: Record<string, string>) =>
      Bun.spawnSync([process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), ...args], {
        env: {
          PATH: process.env.PATH ?? "",
          GOODSEED_HOME: dir.path,
          GOODSEED_API_URL: fake.url,
          ...env,
        },
      });
    const noKey = cli(["upload", "-p", "team/p"], {});
    expect(noKey.exitCode).toBe(1);
    expect(noKey.stderr.toString()).toContain("GOODSEED_API_KEY");
    const first = cli(["upload", "-p", "team/p"], { GOODSEED_API_KEY: "test-key" });
    expect(first.exitCode).toBe(0);
    const out = first.stdout.toString();
    expect(out).toContain("[1/2] Uploading run 'one'");
    expect(out).toContain("[2/2] Done. Uploaded 7");
    const again = cli(["upload", "-p", "team/p", "--run-id", "two", "--api-key", "test-key"], {});
    expect(again.stdout.toString()).toContain("Done. Uploaded 0 item(s).");
    const state = await fake.state();
    expect(state.runs.map((run) => run.runId).sort()).toEqual(["one", "two"]);
    for (const run of state.runs) {
      expect(Object.keys(run.metrics)).toHaveLength(7000);
      expect(Object.values(run.receipts).every((count) => count === 1)).toBe(true);
      expect(run.status).toBe("finished");
    }
    const bad = cli(["upload", "-p", "team/p"], { GOODSEED_API_KEY: "wrong" });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.toString()).toContain("refused");
  }, 60_000);
});
