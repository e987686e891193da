/**
 * `goodseed serve` warms the routes of the web UI's first view once it listens: each
 * asked in turn on a run that cannot exist, so that nothing is read or kept, and each
 * answered as any request for a missing run is (never a server error).
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { FIRST_VIEW_ROUTES, warmServe } from "../../src/server/serve-warmup.ts";
import { localRun } from "../helpers/runs.ts";
import { serveProcess } from "../helpers/server.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/** Polls `check` until it holds or `ms` pass. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error("timed out");
    await Bun.sleep(5);
  }
}

describe("the warm-up of goodseed serve", () => {
  it("asks each first-view route once, in turn, for a run no directory can hold", async () => {
    const asked: string[] = [];
    using server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        const url = new URL(request.url);
        asked.push(url.pathname + url.search);
        return new Response("{}");
      },
    });
    warmServe(server);
    await until(() => asked.length === FIRST_VIEW_ROUTES.length);
    expect(asked).toEqual([...FIRST_VIEW_ROUTES]);
    for (const route of FIRST_VIEW_ROUTES) {
      const query = new URL(route, "http://x").searchParams;
      for (const run of query.getAll("run"))
        expect(run.split("/").every((name) => name.startsWith("."))).toBe(true);
    }
  });

  it("goes quietly when the server is gone", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = server.port;
    await server.stop(true);
    // Resolves (the refused requests end the warm-up quietly) rather than rejecting.
    expect(await warmServe({ hostname: "127.0.0.1", port })).toBeUndefined();
  });

  it("gets no server error from serve, and leaves the run list to the first page", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p/q", runId: "a" });
    run.logMetrics({ loss: 1 }, { step: 0 });
    await run.close();
    await using server = await serveProcess(join(dir.path, "projects"));
    for (const route of FIRST_VIEW_ROUTES) {
      const response = await fetch(`${server.base}${route}`);
      expect({ route, status: response.status < 500 }).toEqual({ route, status: true });
    }
    const { runs } = (await (await fetch(`${server.base}/api/runs`)).json()) as {
      runs: { run_id: string }[];
    };
    expect(runs.map((listed) => listed.run_id)).toEqual(["a"]);
  });
});
