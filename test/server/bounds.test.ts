/**
 * What a request can make the server hold: every cache keeps within its byte bound
 * whatever the requests ask for, and a whole run's raw metrics are streamed, not
 * built as one string.
 */

import { heapStats } from "bun:jsc";
import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { CacheStats } from "../../src/cache/byte-lru.ts";
import { cacheStats, type GoodseedApp } from "../../src/server/app.ts";
import { localRun } from "../helpers/runs.ts";
import { appFor, request } from "../helpers/server.ts";
import { compatHome, tempDir } from "../helpers/temp-dir.ts";

const KIB = 1024;

/** The stats of the cache called `name` behind `app`. */
function statsOf(app: GoodseedApp, name: string): CacheStats {
  const stats = cacheStats(app)[name];
  if (!stats) throw new Error(`no cache called ${name}`);
  return stats;
}

describe("the server's caches", () => {
  it("keep run-list bodies and point counts within their byte bounds, whatever the filters asked for", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects, [], {
      cacheBytes: { runLists: 64 * KIB, counts: 16 * KIB },
    });
    const all = await request(app, "/api/runs");
    expect(all.body.runs).toHaveLength(8);
    const filler = "x".repeat(1000);
    for (let i = 0; i < 2000; i++) {
      const result = await request(app, `/api/runs?project=${filler}${i}`);
      expect(result.body).toEqual({ runs: [] });
      const strings = await request(
        app,
        `/api/runs/acme/vision/sweep-large-88/string_series?path=${filler}${i}&limit=1`,
      );
      expect(strings.body).toEqual({ string_series: [], total: 0 });
    }
    const lists = statsOf(app, "runLists");
    expect(lists.maxBytes).toBe(64 * KIB);
    expect(lists.bytes).toBeLessThanOrEqual(64 * KIB);
    const counts = statsOf(app, "counts");
    expect(counts.bytes).toBeLessThanOrEqual(16 * KIB);
    expect(counts.entries).toBeGreaterThan(0);
    // The lists of projects that exist are still answered (and kept).
    const vision = await request(app, "/api/runs?project=acme/vision");
    expect(vision.body.runs).toHaveLength(3);
    expect(statsOf(app, "runLists").entries).toBeGreaterThan(0);
    expect((await request(app, "/api/runs")).text).toBe(all.text);
  });

  it("keep metric series within their byte bound, one series larger than the bound included", async () => {
    await using dir = tempDir();
    for (let r = 0; r < 6; r++) {
      const run = localRun(dir.path, { project: "p", runId: `r${r}` });
      for (let step = 0; step < 2000 * (r + 1); step++) run.log("loss", step, { step });
      await run.close();
    }
    // 2,000 points are 48 KiB as columns; the last run's 12,000 are 288 KiB.
    await using app = appFor(join(dir.path, "projects"), [], { cacheBytes: { series: 200 * KIB } });
    for (let r = 0; r < 6; r++) {
      const result = await request(app, `/api/runs/p/r${r}/metrics?path=loss&pointCount=10`);
      expect(result.body.totalCount).toBe(2000 * (r + 1));
      const series = statsOf(app, "series");
      expect({ r, within: series.bytes <= 200 * KIB }).toEqual({ r, within: true });
    }
  });
});

/** Reads a response body chunk by chunk. */
async function chunks(response: Response): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

describe("the raw metrics of a whole run (no path)", () => {
  it("are streamed in chunks and read the same as SQLite's rows", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p", runId: "many" });
    const paths = ["train/loss", "eval/acc", "métriques/λ", "Zeta"];
    for (let step = 0; step < 30_000; step++)
      run.logMetrics({ "train/loss": 1 / (step + 1), "eval/acc": step % 7 }, { step });
    run.log("métriques/λ", Number.NaN, { step: 0 });
    run.log("métriques/λ", Number.POSITIVE_INFINITY, { step: 1 });
    for (let step = 100; step > 0; step--) run.log("Zeta", -step, { step: step / 4 });
    await run.close();
    const file = join(dir.path, "projects/p/runs/many.sqlite");
    // A series without points, and points whose series is gone, are not listed.
    const db = new Database(file);
    db.run("INSERT INTO metric_series (path) VALUES ('empty')");
    db.run("INSERT INTO metric_points (series_id, step, y, ts) VALUES (999, 0, 1, 0)");
    const expected = db
      .query(
        "SELECT s.path AS path, p.step AS step, p.y AS y FROM metric_points p JOIN metric_series s ON s.id = p.series_id ORDER BY s.path, p.step",
      )
      .all() as { path: string; step: number; y: number | string }[];
    db.close();
    expect(new Set(expected.map((row) => row.path))).toEqual(new Set(paths));

    await using app = appFor(join(dir.path, "projects"));
    const response = await app.handle(new Request("http://localhost/api/runs/p/many/metrics"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const parts = await chunks(response);
    // About 6 MB of JSON: sent as it is written, in many pieces.
    expect(parts.length).toBeGreaterThan(4);
    const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as {
      metrics: { path: string; step: number; value: number | string; logged_at: string }[];
    };
    expect(body.metrics).toHaveLength(expected.length);
    const mismatch = body.metrics.findIndex((point, i) => {
      const row = expected[i] as { path: string; step: number; y: number | string };
      const value =
        row.y === "NaN"
          ? "NaN"
          : row.y === Number.POSITIVE_INFINITY
            ? "Infinity"
            : (row.y as number);
      return point.path !== row.path || point.step !== row.step || point.value !== value;
    });
    expect(mismatch).toBe(-1);
    expect(body.metrics[0]?.logged_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });

  it("hold one piece of a long series at a time, not the series", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p", runId: "long" });
    run.log("loss", 0, { step: 0 });
    await run.close();
    const db = new Database(join(dir.path, "projects/p/runs/long.sqlite"));
    db.run(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 399999) INSERT INTO metric_points (series_id, step, y, ts) SELECT (SELECT id FROM metric_series WHERE path = 'loss'), i, i * 0.5, 1767225600 FROM n",
    );
    db.close();
    await using app = appFor(join(dir.path, "projects"));
    const heap = () => {
      Bun.gc(true);
      return heapStats().heapSize;
    };
    const before = heap();
    const response = await app.handle(new Request("http://localhost/api/runs/p/long/metrics"));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // 400,000 points are 9.6 MB as columns: the stream holds a piece of them.
    const held = heap() - before;
    expect(first.done).toBe(false);
    expect(held).toBeLessThan(4_000_000);
    let points = 0;
    for (let chunk = first; !chunk.done; chunk = await reader.read())
      points += (
        Buffer.from(chunk.value)
          .toString("latin1")
          .match(/"step"/g) ?? []
      ).length;
    expect(points).toBe(400_000);
  });

  it("stop being read when the client goes away, and the server answers the next request", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p", runId: "long" });
    for (let step = 0; step < 50_000; step++) run.log("loss", step, { step });
    await run.close();
    await using app = appFor(join(dir.path, "projects"));
    const response = await app.handle(new Request("http://localhost/api/runs/p/long/metrics"));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // A first piece, not the whole 4 MB body.
    expect((first.value as Uint8Array).length).toBeLessThan(2_000_000);
    await reader.cancel();
    const again = await request(app, "/api/runs/p/long/metrics?path=loss&pointCount=5");
    expect(again.body.totalCount).toBe(50_000);
  });

  it("still answer an unreadable file with a JSON error", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p", runId: "ok" });
    await run.close();
    const bad = join(dir.path, "projects/p/runs/bad.sqlite");
    await Bun.write(bad, "not a database, not even close ".repeat(200));
    await using app = appFor(join(dir.path, "projects"));
    const result = await request(app, "/api/runs/p/bad/metrics");
    expect(result.status).toBe(500);
    expect(result.body).toEqual({ error: "file is not a database" });
    expect((await request(app, "/api/runs/p/ok/metrics")).body).toEqual({ metrics: [] });
  });
});

describe("the matrix run's whole-run metrics", () => {
  it("keep the Python server's order: by path in UTF-8 byte order, then step", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const all = await request(app, "/api/runs/acme/vision/matrix-7f3a/metrics");
    const paths = (all.body.metrics as { path: string }[]).map((m) => m.path);
    const sorted = [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(paths).toEqual(sorted);
    expect(paths[0]).toBe("Zeta/upper");
  });
});
