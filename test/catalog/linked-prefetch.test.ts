/**
 * The reads a page's link starts (`FileReadStore.prefetchSeries`): registered at once,
 * started later, one run per turn of the event loop. A request for a linked run's
 * series made at once, before its read has started, waits for that read instead of
 * decoding the file itself.
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { SeriesTrace } from "../../src/api/read-store.ts";
import { FileReadStore } from "../../src/catalog/file-read-store.ts";
import { localRun } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";

async function writeRun(home: string, runId: string): Promise<void> {
  const run = localRun(home, { project: "p/q", runId });
  for (let step = 0; step < 3000; step++)
    run.logMetrics({ "train/loss": 1 / (step + 1), "train/lr": step * 1e-4 }, { step });
  await run.close();
}

describe("linked runs' reads", () => {
  it("are waited for by a request made before they start, and are done once", async () => {
    await using dir = tempDir();
    for (const runId of ["a", "b", "c"]) await writeRun(dir.path, runId);
    const store = new FileReadStore({ projectsDir: join(dir.path, "projects"), warm: false });
    try {
      const linked = [
        { project: "p/q", runId: "a" },
        { project: "p/q", runId: "b" },
        { project: "p/q", runId: "a" },
        { project: "p/q", runId: "missing" },
      ];
      const prefetched = store.prefetchSeries(linked);
      // In the same turn: no read has started yet.
      const read = async (runId: string, path: string) => {
        const handle = await store.run("p/q", runId);
        if (!handle) throw new Error(`no run ${runId}`);
        const trace: SeriesTrace = {};
        const series = await store.metricSeries(handle, path, trace);
        return { points: series?.length, source: trace.source };
      };
      const [b, a, c] = await Promise.all([
        read("b", "train/lr"),
        read("a", "train/loss"),
        read("c", "train/loss"),
      ]);
      await prefetched;
      expect({ a, b, c }).toEqual({
        a: { points: 3000, source: "memory" },
        b: { points: 3000, source: "memory" },
        // Not linked: read at its request, from its pages.
        c: { points: 3000, source: "pages" },
      });
      // Later requests find them in memory too; a linked run that is missing is passed over.
      expect(await read("a", "train/lr")).toEqual({ points: 3000, source: "memory" });
      expect(await store.run("p/q", "missing")).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
