/**
 * What an upload says when GOODSEED_API_URL points at the wrong thing: a `goodseed serve`
 * (which shows local runs and takes no uploads), or a team server that does not create
 * projects on their first upload. The answer names what to do on that server, not the
 * goodseed app's address.
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { listen } from "../../src/server/listen.ts";
import { localRun } from "../helpers/runs.ts";
import { appFor } from "../helpers/server.ts";
import { keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";

useTeamServers();

async function upload(home: string, apiUrl: string, key: string) {
  const run = localRun(home, { project: "acme/vision", runId: "r1" });
  run.log("loss", 1, { step: 0 });
  await run.close();
  const child = Bun.spawn(
    [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
    {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, GOODSEED_HOME: home, GOODSEED_API_URL: apiUrl, GOODSEED_API_KEY: key },
    },
  );
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code: await child.exited, stdout, stderr };
}

describe("an upload to the wrong server", () => {
  it("says that a goodseed serve takes no uploads and names goodseed server", async () => {
    await using home = tempDir();
    await using served = tempDir();
    await using app = appFor(served.path);
    const listening = listen(app, { hostname: "127.0.0.1", port: 0 });
    try {
      const result = await upload(home.path, listening.url, "gsk_anything");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("does not take uploads");
      expect(result.stderr).toContain("goodseed server");
      expect(result.stderr).not.toContain("app.goodseed.ai");
    } finally {
      await listening.stop();
    }
  }, 30_000);

  it("says to create the project on a team server that does not create projects", async () => {
    await using home = tempDir();
    await using team = await teamServer("sqlite", { createProjects: false });
    const key = await keyFor(team.databaseUrl, ["acme"], "owner");
    const result = await upload(home.path, team.url, key);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("project 'acme/vision' was not found");
    expect(result.stderr).toContain(`${team.base}/api/v1/workspaces/acme/projects`);
    expect(result.stderr).not.toContain("app.goodseed.ai");
  }, 30_000);
});
