/**
 * PostgreSQL stops and starts again while our library (cloud mode) keeps uploading to
 * `goodseed server`: meanwhile the server answers 503 with Retry-After (the uploader
 * among others is answered so), and once the run is closed the server holds every
 * point exactly once, with its value.
 */

import { describe, expect, it } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnScript } from "../helpers/scripts.ts";
import {
  call,
  keyFor,
  postgresCluster,
  spawnServer,
  useTeamServers,
} from "../helpers/team-server.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

// Logs one point a step, a few at a time, until the test leaves the stop file; then
// closes (draining its upload) and prints how many steps it logged.
const UPLOADER = `
const { existsSync } = await import("node:fs");
const run = new Run({ project: "acme/outage", runId: "up-1", storage: "cloud",
  captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: false });
let step = 0;
while (!existsSync(process.env.STOP_FILE)) {
  for (let i = 0; i < 20; i++, step++) run.log("loss", step / 7, { step });
  await Bun.sleep(5);
}
await run.close();
console.log(step);
`;

/** Lines of the server's request log for an ingest answered `status`. */
const ingests = (output: string, status: number) =>
  output
    .split("\n")
    .filter((line) => line.includes("/ingest") && line.includes(`"status":${status}`)).length;

describe("goodseed server while PostgreSQL restarts", () => {
  it("answers 503 with Retry-After during the outage and keeps a continuous upload exact", async () => {
    const cluster = await postgresCluster();
    const url = await cluster.createDatabase();
    const key = await keyFor(url, ["acme"]);
    await using server = await spawnServer(url);
    await using dir = tempDir("goodseed-outage-");
    const stopFile = join(dir.path, "stop");
    const uploader = spawnScript(UPLOADER, {
      home: dir.path,
      env: { GOODSEED_API_URL: server.base, GOODSEED_API_KEY: key, STOP_FILE: stopFile },
    });
    const stdout = new Response(uploader.stdout).text();
    const stderr = new Response(uploader.stderr).text();
    try {
      await waitFor(() => ingests(server.output(), 200) >= 2, "the upload under way", 30_000);
      cluster.stopServer();
      try {
        const down = await call(server.base, key, "POST", "/api/v1/runs", {
          workspace: "acme",
          project: "outage",
          run_id: "probe",
          experiment_name: null,
        });
        expect(down.status).toBe(503);
        expect(Number(down.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(existsSync(stopFile)).toBe(false);
        // The uploader itself is answered 503 while the database is away.
        await waitFor(() => ingests(server.output(), 503) >= 1, "an upload answered 503", 30_000);
      } finally {
        cluster.startServer();
      }
      const before = ingests(server.output(), 200);
      await waitFor(
        () => ingests(server.output(), 200) >= before + 2,
        "the upload going on after the outage",
        60_000,
      );
      writeFileSync(stopFile, "");
      expect(await uploader.exited).toBe(0);
    } finally {
      if (uploader.exitCode === null) uploader.kill("SIGKILL");
      uploader.cleanup();
    }
    expect(await stderr).toBe("");
    const steps = Number((await stdout).trim());
    expect(steps).toBeGreaterThan(0);

    const id = (
      (
        await call(server.base, key, "POST", "/api/v1/runs", {
          workspace: "acme",
          project: "outage",
          run_id: "up-1",
          experiment_name: null,
        })
      ).json as { id: string }
    ).id;
    const stored = (
      await call(server.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=loss`)
    ).json as { raw_points: { step: number; y: number }[] };
    // Every step once, in order, with its value: nothing lost, nothing twice.
    expect(stored.raw_points.length).toBe(steps);
    const wrong = stored.raw_points.filter((point, i) => point.step !== i || point.y !== i / 7);
    expect(wrong).toEqual([]);
  }, 180_000);
});
