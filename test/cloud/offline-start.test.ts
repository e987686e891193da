/**
 * A cloud run of a project without a workspace (`goodseed init`'s "default") needs the
 * API to name the default workspace. When the API cannot be reached as training
 * starts, the run starts all the same, logs locally, and uploads once the API is back
 * (to the key's default workspace), instead of failing the training before its first step.
 */

import { describe, expect, it } from "bun:test";
import { spawnScript } from "../helpers/scripts.ts";
import { freePort } from "../helpers/server.ts";
import { call, freshDatabase, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

describe("a cloud run that starts while the API is down", () => {
  it("trains, logs locally, and uploads to the default workspace once the API is back", async () => {
    await using home = tempDir();
    const databaseUrl = await freshDatabase("sqlite");
    const key = await keyFor(databaseUrl, ["acme"], "member");
    const port = await freePort();
    const child = spawnScript(
      `
const run = new Run({ project: "vision", captureStdout: false, captureHardwareMetrics: false });
console.log("started", run.runId);
for (let step = 0; step < 30; step++) {
  run.log("loss", 1 / (step + 1), { step });
  await Bun.sleep(100);
}
await run.close();
console.log("closed");
`,
      {
        home: home.path,
        env: {
          GOODSEED_STORAGE: "cloud",
          GOODSEED_API_URL: `http://127.0.0.1:${port}`,
          GOODSEED_API_KEY: key,
          GOODSEED_RETRY_BASE_MS: "20",
          GOODSEED_CLOSE_UPLOAD_TIMEOUT_MS: "30000",
        },
      },
    );
    let stdout = "";
    const reading = (async () => {
      for await (const chunk of child.stdout) stdout += new TextDecoder().decode(chunk);
    })();
    try {
      await waitFor(
        () => stdout.includes("started") || child.exitCode !== null,
        "the run to start",
      );
      await using team = await teamServer("sqlite", { port }, databaseUrl);
      const stderr = await new Response(child.stderr).text();
      await reading;
      expect({ code: await child.exited, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain("closed");
      const runId = /started (\S+)/.exec(stdout)?.[1];
      const answer = await call(
        team.base,
        key,
        "GET",
        `/api/runs/acme/vision/${runId}/metrics?path=loss`,
      );
      expect(answer.status).toBe(200);
      expect((answer.json as { metrics: unknown[] }).metrics).toHaveLength(30);
    } finally {
      child.kill("SIGKILL");
      child.cleanup();
    }
  }, 90_000);
});
