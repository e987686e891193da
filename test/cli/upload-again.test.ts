/**
 * A run uploaded once has every row marked uploaded in its file, so a second server
 * (a new team server, one whose database was reset) would get an empty run. `upload`
 * says so, and `--all` sends everything again (the server keeps one copy of a point).
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";

useTeamServers();

async function upload(home: string, apiUrl: string, key: string, ...more: string[]) {
  const child = Bun.spawn(
    [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision", ...more],
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

async function pointsOn(base: string, key: string): Promise<number> {
  const answer = await call(base, key, "GET", "/api/runs/acme/vision/r1/metrics?path=loss");
  return answer.status === 200 ? (answer.json as { metrics: unknown[] }).metrics.length : 0;
}

describe("goodseed upload to a second server", () => {
  it("says that everything went before, and sends it all again with --all", async () => {
    await using home = tempDir();
    const run = localRun(home.path, { project: "acme/vision", runId: "r1" });
    for (let step = 0; step < 5; step++) run.log("loss", step, { step });
    await run.close();
    await using first = await teamServer("sqlite");
    const firstKey = await keyFor(first.databaseUrl, ["acme"], "owner");
    expect((await upload(home.path, first.base, firstKey)).code).toBe(0);
    expect(await pointsOn(first.base, firstKey)).toBe(5);

    await using second = await teamServer("sqlite");
    const secondKey = await keyFor(second.databaseUrl, ["acme"], "owner");
    const plain = await upload(home.path, second.base, secondKey);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("--all");
    const again = await upload(home.path, second.base, secondKey, "--all");
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(await pointsOn(second.base, secondKey)).toBe(5);
    // The first server keeps one copy of each point.
    expect((await upload(home.path, first.base, firstKey, "--all")).code).toBe(0);
    expect(await pointsOn(first.base, firstKey)).toBe(5);
  }, 60_000);
});
