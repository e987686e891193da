/**
 * `goodseed upload` while the API cannot be reached: the first run that gives up stops
 * the command, instead of every further run retrying for minutes against the same
 * closed door; it says what was not tried and how to go on.
 */

import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { freePort } from "../helpers/server.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";

describe("goodseed upload without a reachable API", () => {
  it("stops after the first run that cannot reach it, naming the runs not tried", async () => {
    await using home = tempDir();
    for (const runId of ["r1", "r2", "r3"]) {
      const run = localRun(home.path, { project: "acme/vision", runId });
      run.log("loss", 1, { step: 0 });
      await run.close();
    }
    const port = await freePort();
    const child = Bun.spawn(
      [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
      {
        stdout: "pipe",
        stderr: "pipe",
        env: {
          ...process.env,
          GOODSEED_HOME: home.path,
          GOODSEED_API_URL: `http://127.0.0.1:${port}`,
          GOODSEED_API_KEY: "gsk_x",
          // Ten attempts with backoff from 1 ms: the give-up comes in well under a second.
          GOODSEED_RETRY_BASE_MS: "1",
        },
      },
    );
    const [stdout, stderr] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    expect(await child.exited).toBe(1);
    expect(stdout).toContain("Uploading run 'r1'");
    expect(stdout).not.toContain("Uploading run 'r2'");
    expect(stderr).toContain("2 run(s) not tried: r2, r3");
    expect(stderr).toContain("goodseed upload -p acme/vision");
  }, 30_000);

  it("passes over an empty run file (a writer killed before it wrote anything) without failing", async () => {
    await using home = tempDir();
    const runs = join(home.path, "projects", "acme", "vision", "runs");
    mkdirSync(runs, { recursive: true });
    writeFileSync(join(runs, "stillborn.sqlite"), "");
    const port = await freePort();
    const child = Bun.spawn(
      [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "acme/vision"],
      {
        stdout: "pipe",
        stderr: "pipe",
        env: {
          ...process.env,
          GOODSEED_HOME: home.path,
          GOODSEED_API_URL: `http://127.0.0.1:${port}`,
          GOODSEED_API_KEY: "gsk_x",
        },
      },
    );
    const [stdout, stderr] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    expect(stderr).toBe("");
    expect(await child.exited).toBe(0);
    expect(stdout).toContain("Skipping run 'stillborn': its file is empty");
  }, 30_000);
});
