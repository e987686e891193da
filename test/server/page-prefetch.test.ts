/**
 * The web UI's page opened with a link to runs (`/?runs=p:a,p:b`, `/?run=p:a`): serve
 * answers the page as its HTML route does and reads the linked runs' series while
 * the page loads, so that their charts' first requests are answered from memory.
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { linkedRuns, MAX_LINKED_RUNS } from "../../src/server/page-route.ts";
import { localRun } from "../helpers/runs.ts";
import { serveProcess } from "../helpers/server.ts";
import { tempDir } from "../helpers/temp-dir.ts";

async function writeRun(home: string, runId: string): Promise<void> {
  const run = localRun(home, { project: "p/q", runId });
  for (let step = 0; step < 3000; step++)
    run.logMetrics({ "train/loss": 1 / (step + 1), "train/lr": step * 1e-4 }, { step });
  await run.close();
}

const source = (response: Response) =>
  /desc="([^"]+)"/.exec(response.headers.get("server-timing") ?? "")?.[1];

describe("the page opened with a link to runs", () => {
  it("is the bundled page, and the linked runs' series are read before their charts ask", async () => {
    await using dir = tempDir();
    await writeRun(dir.path, "linked");
    await writeRun(dir.path, "other");
    await using server = await serveProcess(join(dir.path, "projects"));

    const bundled = await fetch(`${server.base}/index.html`);
    const html = await bundled.text();
    expect(html).toContain('<main id="app">');
    const page = await fetch(`${server.base}/?runs=${encodeURIComponent("p/q:linked")}`);
    const pageHtml = await page.text();
    const etag = page.headers.get("etag");
    const again = await fetch(`${server.base}/`, { headers: { "if-none-match": etag ?? "" } });
    const head = await fetch(`${server.base}/`, { method: "HEAD" });
    const chart = (runId: string) =>
      fetch(`${server.base}/api/runs/p/q/${runId}/metrics?path=train/lr&pointCount=10`);
    // Read while the page loaded (or waited for, if the read is still under way); a
    // run the page did not link to is read at its first request.
    const linked = await chart("linked");
    const other = await chart("other");
    // One look at everything, so that a failure shows all of it.
    expect({
      page: page.status,
      sameHtml: pageHtml === html,
      type: page.headers.get("content-type"),
      etag,
      again: again.status,
      head: head.status,
      linked: [linked.status, source(linked)],
      other: [other.status, source(other)],
    }).toEqual({
      page: 200,
      sameHtml: true,
      type: bundled.headers.get("content-type"),
      etag: bundled.headers.get("etag"),
      again: 304,
      head: 200,
      linked: [200, "memory"],
      other: [200, "pages"],
    });
    // The same points either way (the runs were logged alike; only their times differ).
    const points = async (response: Response) =>
      ((await response.json()) as { points: { step: number; value: number }[] }).points.map(
        ({ step, value }) => [step, value],
      );
    const linkedPoints = await points(linked);
    expect(linkedPoints.length).toBeGreaterThan(5);
    expect(linkedPoints).toEqual(await points(other));
  }, 60_000);
});

describe("linkedRuns", () => {
  it("takes the compared runs and the detailed one, project:runId each, once", () => {
    const url = new URL(
      `http://x/?runs=${encodeURIComponent("a/b:r1,a/b:r2,bad,:x,p:,a/b:r1")}&run=${encodeURIComponent("c:r3")}`,
    );
    expect(linkedRuns(url)).toEqual([
      { project: "a/b", runId: "r1" },
      { project: "a/b", runId: "r2" },
      { project: "c", runId: "r3" },
    ]);
    expect(linkedRuns(new URL("http://x/"))).toEqual([]);
    const many = Array.from({ length: MAX_LINKED_RUNS + 10 }, (_, i) => `p:r${i}`).join(",");
    expect(linkedRuns(new URL(`http://x/?runs=${many}`))).toHaveLength(MAX_LINKED_RUNS);
  });
});
