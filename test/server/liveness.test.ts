/**
 * `GET /api/liveness` on `goodseed serve`: a run left `running` by a process that was
 * SIGKILLed reads as dead, with its last sign of life and the reason, while a live
 * writer's run reads as live; `/api/runs` still answers `running` for both, as the
 * Python server does.
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { appFor, request } from "../helpers/server.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

interface Entry {
  project: string;
  run_id: string;
  state?: string;
  status?: string;
  reason?: string;
  last_seen?: string | null;
  error?: string;
}

const WRITER = (runId: string) =>
  `const run = new Run({ project: "live", runId: ${JSON.stringify(runId)}, captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
setInterval(() => run.log("loss", 1 / ++step, { step }), 50);
setTimeout(() => process.exit(0), 60000);`;

describe("/api/liveness on goodseed serve", () => {
  it("answers dead for a SIGKILLed writer's run and live for a running one; /api/runs still says running", async () => {
    await using dir = tempDir("goodseed-liveness-");
    const home = join(dir.path, "home");
    const killed = spawnScript(WRITER("killed"), { home });
    const alive = spawnScript(WRITER("alive"), { home });
    try {
      await using app = appFor(join(home, "projects"));
      const hasPoints = async (runId: string) => {
        const runs = (await request(app, "/api/runs?project=live")).body?.runs ?? [];
        return runs.some(
          (run: { run_id: string; metric_paths: string[] }) =>
            run.run_id === runId && run.metric_paths.includes("loss"),
        );
      };
      await waitFor(() => hasPoints("killed"), "the first points of the run to kill");
      await waitFor(() => hasPoints("alive"), "the first points of the live run");
      const ask = async () =>
        (await request(app, "/api/liveness?run=live/killed&run=live/alive&run=live/nope")).body as {
          runs: Entry[];
        };
      const before = await ask();
      expect(before.runs.map((entry) => entry.state)).toEqual(["live", "live", undefined]);
      killed.kill("SIGKILL");
      await killed.exited;
      const killedAt = Date.now();
      const after = await ask();
      const [dead, live, missing] = after.runs;
      expect(dead).toMatchObject({
        project: "live",
        run_id: "killed",
        state: "dead",
        status: "running",
      });
      expect(dead?.reason).toContain(`process ${killed.pid}`);
      expect(dead?.reason).toContain("has exited");
      const lastSeen = Date.parse(String(dead?.last_seen));
      expect(lastSeen).toBeLessThanOrEqual(killedAt);
      expect(lastSeen).toBeGreaterThan(killedAt - 60_000);
      expect(live).toMatchObject({ run_id: "alive", state: "live", status: "running" });
      expect(live?.reason).toContain(`process ${alive.pid}`);
      expect(missing?.error).toContain("Run not found");
      // The list keeps the Python server's answer: the recorded status.
      const runs = (await request(app, "/api/runs?project=live")).body.runs as {
        run_id: string;
        status: string;
      }[];
      expect(runs.map((run) => run.status)).toEqual(["running", "running"]);
      // The dead run's last sign of life stays put while nothing writes it.
      expect((await ask()).runs[0]?.last_seen).toBe(dead?.last_seen ?? "");
    } finally {
      for (const child of [killed, alive]) {
        child.kill("SIGKILL");
        await child.exited;
        child.cleanup();
      }
    }
  }, 30_000);

  it("answers unknown for a finished run and 400 for a malformed query", async () => {
    await using dir = tempDir("goodseed-liveness-");
    const home = join(dir.path, "home");
    const run = localRun(home, { project: "done", runId: "r1" });
    run.log("loss", 1, { step: 1 });
    await run.close();
    await using app = appFor(join(home, "projects"));
    const answer = await request(app, "/api/liveness?run=done/r1");
    expect(answer.status).toBe(200);
    expect(answer.body.runs[0]).toMatchObject({
      state: "unknown",
      status: "finished",
      last_seen: null,
    });
    expect((await request(app, "/api/liveness")).status).toBe(400);
    const bad = await request(app, "/api/liveness?run=nohalf");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("project/runId");
  });
});
