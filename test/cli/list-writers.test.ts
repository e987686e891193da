/**
 * `goodseed list` tells a run whose process is still writing it from one left `running`
 * by a process that died (kill -9, out of memory, a lost machine): the file says
 * `running` in both cases.
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { spawnScript } from "../helpers/scripts.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";
import { waitForLine } from "../helpers/wait.ts";

async function cli(args: string[], home: string) {
  const child = Bun.spawn([process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, GOODSEED_HOME: home },
  });
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code: await child.exited, stdout, stderr };
}

const WRITER = (runId: string) => `
const run = new Run({ project: "p", runId: ${JSON.stringify(runId)} });
run.log("loss", 1, { step: 0 });
await run.getMetricPaths(); // committed
console.log("ready");
setInterval(() => {}, 1000);
`;

describe("goodseed list", () => {
  it("marks a run left running by a process that is gone as crashed, and a live one as running", async () => {
    await using home = tempDir();
    const dead = spawnScript(WRITER("dead-run"), { home: home.path });
    const live = spawnScript(WRITER("live-run"), { home: home.path });
    try {
      await waitForLine(dead, "ready");
      await waitForLine(live, "ready");
      dead.kill("SIGKILL");
      await dead.exited;
      const listed = await cli(["list", "-p", "p"], home.path);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/live-run\s+-\s+running\s/);
      expect(listed.stdout).toMatch(/dead-run\s+-\s+crashed\s/);
      expect(listed.stdout).toContain(`dead-run: process ${dead.pid} on this host`);
    } finally {
      live.kill("SIGKILL");
      dead.kill("SIGKILL");
      await Promise.all([live.exited, dead.exited]);
      live.cleanup();
      dead.cleanup();
    }
  });
});
