import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import {
  type FakeRemoteOptions,
  type FakeSnapshot,
  startFakeRemoteProcess,
} from "../helpers/fake-remote.ts";
import { runScript, spawnScript } from "../helpers/scripts.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

/** Every row of a run file, keyed as the fake keys what it received. */
function localRows(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const metrics = db
      .query<{ key: string; y: number | string }, []>(
        "SELECT s.path || char(0) || p.step AS key, p.y AS y FROM metric_points p JOIN metric_series s ON s.id = p.series_id",
      )
      .all();
    const strings = db
      .query<{ key: string; value: string }, []>(
        "SELECT s.path || char(0) || p.step AS key, p.value AS value FROM string_points p JOIN string_series s ON s.id = p.series_id",
      )
      .all();
    const configs = db
      .query<{ path: string; value: string }, []>("SELECT path, value FROM configs")
      .all();
    const notUploaded = db
      .query<{ n: number }, []>(
        "SELECT (SELECT count(*) FROM configs WHERE uploaded = 0) + (SELECT count(*) FROM metric_points WHERE uploaded = 0) + (SELECT count(*) FROM string_points WHERE uploaded = 0) AS n",
      )
      .get()?.n;
    return { metrics, strings, configs, notUploaded };
  } finally {
    db.close();
  }
}

/** A step as the fake's key text: JSON's rendering of the number. */
function stepKey(key: string): string {
  const [path, step] = key.split("\u0000") as [string, string];
  return `${path}\u0000${JSON.parse(step)}`;
}

function expectEverythingOnce(snapshot: FakeSnapshot, file: string) {
  const run = snapshot.runs[0];
  expect(snapshot.runs).toHaveLength(1);
  const local = localRows(file);
  expect(local.notUploaded).toBe(0);
  expect(Object.keys(run?.metrics ?? {}).length).toBe(local.metrics.length);
  for (const row of local.metrics) {
    const sent = run?.metrics[stepKey(row.key)];
    const expected =
      typeof row.y === "string"
        ? "NaN"
        : Number.isFinite(row.y)
          ? row.y
          : row.y > 0
            ? "Infinity"
            : "-Infinity";
    if (sent !== expected)
      throw new Error(`metric ${JSON.stringify(row.key)}: local ${row.y}, remote ${sent}`);
  }
  expect(Object.keys(run?.strings ?? {}).length).toBe(local.strings.length);
  for (const row of local.strings) expect(run?.strings[stepKey(row.key)]).toBe(row.value);
  for (const row of local.configs) expect(run?.configs[row.path]?.value).toBe(row.value);
  return run;
}

/** Configs, `steps` × 20 metric points with fractional steps, special values and strings. */
const logEverything = (steps: number) => `
const run = new Run({ project: "acme/vision", runId: "synced", storage: "cloud", apiKey: "test-key",
  captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: false });
run.set("parameters", { lr: 0.001, layers: [64, 128], name: "résumé" });
for (let i = 0; i < ${steps}; i++) {
  const values = {};
  for (let s = 0; s < 20; s++) values[\`series/\${s}\`] = Math.sin(i + s);
  run.logMetrics(values, { step: i + 0.25 });
}
run.log("special", Number.NaN, { step: 0 });
run.log("special", Number.POSITIVE_INFINITY, { step: 1 });
run.log("special", Number.NEGATIVE_INFINITY, { step: -1.5 });
for (let i = 0; i < 300; i++) run.log("notes", \`line \${i} ✓\`, { step: i / 2 });
await run.close();
`;

/** Retries start after about 10 ms instead of 0.5 s: the tests count retries, not wait them out. */
const QUICK_RETRIES = { GOODSEED_RETRY_BASE_MS: "10" };

/**
 * Logs everything with `steps` steps against the fake and checks that it all arrived.
 * The fault tests log a tenth of the big test's points: enough for several ingest
 * calls, and a loaded machine spends its time on the faults, not on gzip and JSON.
 */
async function syncedRun(faults: FakeRemoteOptions, env: Record<string, string> = {}, steps = 500) {
  await using dir = tempDir();
  await using fake = await startFakeRemoteProcess(faults);
  const result = await runScript(logEverything(steps), {
    home: dir.path,
    env: { GOODSEED_API_URL: fake.url, ...env },
    timeoutMs: 60_000,
  });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  const snapshot = await fake.state();
  const run = expectEverythingOnce(
    snapshot,
    join(dir.path, "projects/acme/vision/runs/synced.sqlite"),
  );
  return { run, snapshot };
}

describe("cloud sync", () => {
  it("uploads configs, 100,000 metric points with fractional steps and string points, each exactly once", async () => {
    const { run, snapshot } = await syncedRun({}, {}, 5000);
    expect(Object.keys(run?.metrics ?? {}).length).toBe(100_003);
    expect(run?.metrics["series/3\u00000.25"]).toBe(Math.sin(3));
    expect(run?.metrics["special\u0000-1.5"]).toBe("-Infinity");
    expect(run?.strings["notes\u00002.5"]).toBe("line 5 ✓");
    expect(Object.values(run?.receipts ?? {}).every((count) => count === 1)).toBe(true);
    expect(run?.status).toBe("finished");
    expect(run?.name).toBeNull();
    const ingest = snapshot.requests.filter((request) => request.path.endsWith("/ingest"));
    expect(ingest.every((request) => request.gzip && request.auth === "Bearer test-key")).toBe(
      true,
    );
    const registers = snapshot.requests.filter((request) => request.path === "/api/v1/runs");
    expect(registers[0]?.body).toEqual({
      workspace: "acme",
      project: "vision",
      run_id: "synced",
      experiment_name: null,
    });
  }, 60_000);

  it("gets everything across once through 500s, 429s and dropped connections", async () => {
    const { run, snapshot } = await syncedRun(
      { ingestFaults: ["500", "429", "drop", "500", "drop"] },
      QUICK_RETRIES,
    );
    expect(Object.values(run?.receipts ?? {}).every((count) => count === 1)).toBe(true);
    expect(snapshot.requests.filter((request) => request.status === 429)).toHaveLength(1);
  }, 60_000);

  it("abandons an ingest that hangs past the request timeout, and sends its points again", async () => {
    // The stalled request is never answered while the test runs.
    const { snapshot } = await syncedRun(
      { ingestFaults: ["stall"], stallMs: 600_000 },
      { ...QUICK_RETRIES, GOODSEED_REQUEST_TIMEOUT_MS: "3000" },
    );
    expect(snapshot.stalling).toBe(1);
    expect(snapshot.runs[0]?.status).toBe("finished");
  }, 60_000);

  it("sends the newer value of a point overwritten while its first version is in flight", async () => {
    await using dir = tempDir();
    await using fake = await startFakeRemoteProcess({ ingestFaults: ["stall"], stallMs: 600_000 });
    // The second value is logged only once the fake holds the first one's request, and
    // the fake answers that request only once the second value is committed.
    const result = await runScript(
      `const run = new Run({ project: "acme/vision", runId: "rewritten", storage: "cloud", apiKey: "test-key",
  captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: false });
run.log("loss", 1.0, { step: 7 });
run.sync();
const deadline = Date.now() + 20_000;
const stalling = async () =>
  ((await (await fetch(process.env.GOODSEED_API_URL + "/__fake/state")).json()) as { stalling: number }).stalling;
while ((await stalling()) === 0) {
  if (Date.now() > deadline) throw new Error("the first ingest never reached the fake");
  await Bun.sleep(20);
}
run.log("loss", 2.0, { step: 7 });
if (run.get("loss") !== 2) throw new Error("the second value is not committed");
await fetch(process.env.GOODSEED_API_URL + "/__fake/release", { method: "POST" });
await run.close();`,
      { home: dir.path, env: { GOODSEED_API_URL: fake.url }, timeoutMs: 30_000 },
    );
    expect(result.exitCode).toBe(0);
    const run = expectEverythingOnce(
      await fake.state(),
      join(dir.path, "projects/acme/vision/runs/rewritten.sqlite"),
    );
    expect(run?.metrics["loss\u00007"]).toBe(2);
    expect(run?.receipts["loss\u00007"]).toBe(2);
  }, 30_000);

  it("finishes with goodseed upload after the training process was killed mid-upload", async () => {
    await using dir = tempDir();
    // The killed process's first ingest hangs forever; so does the first of goodseed upload,
    // which abandons it after its request timeout.
    await using fake = await startFakeRemoteProcess({
      ingestFaults: ["stall", "stall"],
      stallMs: 600_000,
    });
    const child = spawnScript(
      `const run = new Run({ project: "acme/vision", runId: "killed", storage: "cloud", apiKey: "test-key",
  captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: false });
for (let i = 0; i < 20000; i++) run.logMetrics({ a: i, b: -i, c: i / 3 }, { step: i });
run.sync();
console.log("logged");
setInterval(() => {}, 1000);`,
      { home: dir.path, env: { GOODSEED_API_URL: fake.url } },
    );
    try {
      await waitFor(
        async () => (await fake.state()).stalling === 1,
        "the first ingest to reach the fake",
        20_000,
      );
      child.kill("SIGKILL");
      await child.exited;
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
    const env = {
      ...process.env,
      GOODSEED_HOME: dir.path,
      GOODSEED_API_URL: fake.url,
      GOODSEED_API_KEY: "test-key",
      GOODSEED_REQUEST_TIMEOUT_MS: "3000",
      ...QUICK_RETRIES,
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const upload = Bun.spawnSync(
        [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
        { env },
      );
      expect(upload.exitCode).toBe(0);
      expect(upload.stdout.toString()).toContain("Done. Uploaded");
    }
    const run = expectEverythingOnce(
      await fake.state(),
      join(dir.path, "projects/acme/vision/runs/killed.sqlite"),
    );
    expect(Object.keys(run?.metrics ?? {}).length).toBe(60_000);
    // The killed process reported 'running'; goodseed upload sends the status the file holds.
    expect(run?.status).toBe("running");
  }, 60_000);
});
