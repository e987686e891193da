/**
 * Long metric series of finished runs: the server may read them from the file's
 * pages instead of through SQLite, and must answer exactly as it does for a run that
 * is still being written.
 */

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { appFor, request } from "../helpers/server.ts";
import { FIXTURES, tempDir } from "../helpers/temp-dir.ts";

/** Past the 200,000 points from which one series is read on two threads. */
const STEPS = 210_000;
const UNICODE = "δ/ünï 😀";
const INTS = [0, 1, -1, 127, -128, 200, -200, 70_000, -70_000, 1e8, -1e8, 2 ** 40, -(2 ** 40)];
INTS.push(2 ** 60, -(2 ** 60), 2 ** 53 - 1, -(2 ** 53) + 1, 0.5, -0.5);
const TS = [0, 1, -1, 100, -200, 70_000, -70_000, 1e8, -1e8, 2 ** 33, -(2 ** 33)];

function loss(step: number): number {
  if (step === 77) return Number.NaN;
  if (step === 78) return Number.POSITIVE_INFINITY;
  if (step === 79) return Number.NEGATIVE_INFINITY;
  if (step === 80) return 1e300;
  if (step === 81) return -5e-324;
  if (step === 82) return 2 ** 60;
  return Math.exp(-step / STEPS) + 0.01 * Math.sin(step);
}

/**
 * A finished run whose metric_points table holds 300,000+ rows: two interleaved
 * series, special values, a step written twice, a series logged backwards and one
 * with fractional steps.
 */
async function writeLongRun(home: string): Promise<string> {
  const run = localRun(home, { project: "acme/long", runId: "finished" });
  for (let step = 0; step < STEPS; step++)
    run.logMetrics({ "train/loss": loss(step), "train/lr": step * 1e-7 - 3 }, { step });
  for (let step = 1000; step >= 0; step--) run.log("late", -step, { step });
  for (let i = 0; i < 1000; i++) run.log("eval/acc", i / 1000, { step: i * 0.1 });

  run.log("train/loss", 42, { step: 10 });
  run.log(UNICODE, 0.5, { step: 1 });
  await run.close();
  const file = join(home, "projects/acme/long/runs/finished.sqlite");
  // Integers take 1 to 8 bytes on disk: ts of every width and sign, before 1970 too.
  const db = new Database(file);
  db.run("INSERT INTO metric_series (path) VALUES ('ints')");
  const insert = db.query(
    "INSERT INTO metric_points (series_id, step, y, ts) VALUES ((SELECT id FROM metric_series WHERE path = 'ints'), ?, ?, ?)",
  );
  INTS.forEach((value, i) => {
    insert.run(i - 100_000, value, TS[i % TS.length] as number);
  });
  db.close();
  return file;
}

/** Rewrites a point late in train/loss: a change a reader finds only in the WAL while it is held there. */
const EDIT =
  "UPDATE metric_points SET y = 7 WHERE step = 149990 AND series_id = (SELECT id FROM metric_series WHERE path = 'train/loss')";

/**
 * A copy of `file` as project `project` with {@link EDIT} held in its WAL by an open
 * writer, so that the server reads it through SQLite as a run being written; `file`
 * gets the same edit checkpointed into its pages.
 */
function liveCopy(projects: string, file: string, project: string): Database {
  const dir = join(projects, project, "runs");
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, join(dir, "finished.sqlite"));
  const db = new Database(join(dir, "finished.sqlite"));
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA wal_autocheckpoint = 0");
  db.run(EDIT);
  const finished = new Database(file);
  finished.run(EDIT);
  finished.close();
  return db;
}

const QUERIES = [
  "path=train/loss",
  "path=train/loss&pointCount=1000",
  "path=train/loss&pointCount=7",
  "path=train/loss&pointCount=500&firstPointIndex=70&lastPointIndex=60000",
  "path=train/lr&pointCount=1000",
  "path=train/lr&pointCount=333&firstPointIndex=149000",
  "path=late",
  "path=late&pointCount=10",
  "path=eval/acc",
  "path=eval/acc&pointCount=64",
  "path=ints",
];

describe("long metric series of a finished run", () => {
  it("come out exactly as through SQLite, every series of the file, in step order", async () => {
    await using dir = tempDir();
    const file = await writeLongRun(dir.path);
    const projects = join(dir.path, "projects");
    const live = liveCopy(projects, file, "acme/live");
    try {
      await using app = appFor(projects);
      // The first request decodes the table's pages, which brings every series along.
      const sources = async (project: string) => {
        const seen: string[] = [];
        for (const path of ["train/loss", "train/lr", "late"]) {
          const response = await request(
            app,
            `/api/runs/acme/${project}/finished/metrics?path=${path}&pointCount=10`,
          );
          seen.push(/desc="([^"]+)"/.exec(response.headers.get("server-timing") ?? "")?.[1] ?? "");
        }
        return seen;
      };
      expect(await sources("long")).toEqual(["pages", "memory", "memory"]);
      expect(await sources("live")).toEqual(["sqlite", "sqlite", "sqlite"]);
      for (const query of QUERIES) {
        const finished = await request(app, `/api/runs/acme/long/finished/metrics?${query}`);
        const written = await request(app, `/api/runs/acme/live/finished/metrics?${query}`);
        expect(finished.status).toBe(200);
        expect(finished.text.length).toBeGreaterThan(100);
        if (finished.text !== written.text) throw new Error(`${query}: the bodies differ`);
      }

      const raw = (await request(app, "/api/runs/acme/long/finished/metrics?path=train/loss")).body
        .metrics as { step: number; value: number | string }[];
      expect(raw).toHaveLength(STEPS);
      expect(raw.every((point, index) => point.step === index)).toBe(true);
      expect(raw[10]?.value).toBe(42);
      expect(raw[149_990]?.value).toBe(7);
      expect(raw.slice(77, 83).map((point) => point.value)).toEqual([
        "NaN",
        "Infinity",
        "-Infinity",
        1e300,
        -5e-324,
        2 ** 60,
      ]);
      expect(raw[5000]?.value).toBe(loss(5000));

      const ints = (await request(app, "/api/runs/acme/long/finished/metrics?path=ints")).body
        .metrics as { step: number; value: number; logged_at: string }[];
      expect(ints.map((point) => point.value)).toEqual(INTS);
      expect(ints[0]?.step).toBe(-100_000);
      expect(ints.slice(0, TS.length).map((point) => point.logged_at)).toEqual(
        TS.map((seconds) => new Date(seconds * 1000).toISOString().replace(".000Z", "+00:00")),
      );

      const unicode = await request(
        app,
        `/api/runs/acme/long/finished/metrics?path=${encodeURIComponent(UNICODE)}`,
      );
      expect(unicode.body.metrics).toEqual([
        { path: UNICODE, step: 1, value: 0.5, logged_at: expect.any(String) },
      ]);

      const late = (await request(app, "/api/runs/acme/long/finished/metrics?path=late")).body
        .metrics as { step: number; value: number }[];
      expect(late.map((point) => point.step)).toEqual(Array.from({ length: 1001 }, (_, i) => i));
      expect(late[1000]?.value).toBe(-1000);

      // The first bucket of 256 points (k for 210,000 points in 1,000 buckets), by hand.
      const ds = (
        await request(app, "/api/runs/acme/long/finished/metrics?path=train/lr&pointCount=1000")
      ).body.points as { step: number; value: number; minY: number; maxY: number }[];
      let sum = 0;
      for (let step = 0; step < 256; step++) sum += step * 1e-7 - 3;
      expect(ds[1]).toMatchObject({ step: 127.5, value: sum / 256, minY: -3, maxY: 255e-7 - 3 });
    } finally {
      live.close();
    }
  }, 60_000);

  it("decode the Python client's rows as SQLite reads them", async () => {
    await using dir = tempDir();
    const projects = join(dir.path, "projects");
    const source = join(FIXTURES, "home/projects");
    const runs: [string, string][] = [
      ["acme/vision", "sweep-large-88"],
      ["acme/vision", "matrix-7f3a"],
      ["acme/vision", "crash-5e1b"],
      ["default", "resume-4d2e"],
      ["default", "live-91aa"],
      ["default", "tagged-2c9d"],
    ];
    const held: Database[] = [];
    try {
      for (const dir of ["finished", "live"])
        mkdirSync(join(projects, dir, "runs"), { recursive: true });
      for (const [project, runId] of runs) {
        const finished = join(projects, "finished/runs", `${runId}.sqlite`);
        copyFileSync(join(source, project, "runs", `${runId}.sqlite`), finished);
        // A bulk series makes the table long enough for the page reader, which then
        // brings the Python client's own series along with it.
        const db = new Database(finished);
        db.run("INSERT INTO metric_series (path) VALUES ('zz/bulk')");
        db.run(
          "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 209999) INSERT INTO metric_points (series_id, step, y, ts) SELECT (SELECT id FROM metric_series WHERE path = 'zz/bulk'), i, i * 0.5, 1767225600 FROM n",
        );
        db.close();
        const live = join(projects, "live/runs", `${runId}.sqlite`);
        copyFileSync(finished, live);
        const writer = new Database(live);
        writer.run("PRAGMA journal_mode = WAL");
        writer.run("PRAGMA wal_autocheckpoint = 0");
        writer.run("INSERT OR REPLACE INTO run_meta (key, value) VALUES ('note', 'held open')");
        held.push(writer);
      }
      await using app = appFor(projects);
      for (const [, runId] of runs) {
        const bulk = await request(
          app,
          `/api/runs/finished/${runId}/metrics?path=zz/bulk&pointCount=5`,
        );
        expect(bulk.headers.get("server-timing")).toContain('desc="pages"');
        const paths = (await request(app, `/api/runs/finished/${runId}/metric-paths`)).body
          .paths as string[];
        for (const path of paths) {
          for (const query of ["", "&pointCount=50"]) {
            const target = `metrics?path=${encodeURIComponent(path)}${query}`;
            const finished = await request(app, `/api/runs/finished/${runId}/${target}`);
            const live = await request(app, `/api/runs/live/${runId}/${target}`);
            expect([
              runId,
              path,
              finished.headers.get("server-timing")?.includes("memory"),
            ]).toEqual([runId, path, true]);
            if (finished.text !== live.text)
              throw new Error(`${runId} ${target}: the bodies differ`);
          }
        }
      }
    } finally {
      for (const db of held) db.close();
    }
  }, 60_000);

  it("answer JSON from a file with damaged pages, and the server goes on", async () => {
    await using dir = tempDir();
    const file = await writeLongRun(dir.path);
    const bytes = new Uint8Array(readFileSync(file));
    let seed = 7;
    for (let at = 200_000; at < bytes.length - 10_000; at += 1_000_000)
      for (let i = 0; i < 8192; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        bytes[at + i] = seed >>> 24;
      }
    writeFileSync(file, bytes);
    await using app = appFor(join(dir.path, "projects"));
    for (const query of QUERIES) {
      const result = await request(app, `/api/runs/acme/long/finished/metrics?${query}`);
      expect([200, 500]).toContain(result.status);
      expect(result.body).toBeObject();
    }
    expect((await request(app, "/api/projects")).status).toBe(200);
  }, 60_000);

  it("read the same from files with 1 KiB and 64 KiB pages", async () => {
    await using dir = tempDir();
    const file = await writeLongRun(dir.path);
    const projects = join(dir.path, "projects");
    for (const pageSize of [1024, 65536]) {
      const runs = join(projects, `acme/pages-${pageSize}`, "runs");
      mkdirSync(runs, { recursive: true });
      const source = new Database(file);
      source.run(`PRAGMA page_size = ${pageSize}`);
      source.run(`VACUUM INTO '${join(runs, "finished.sqlite")}'`);
      source.close();
      const copy = new Database(join(runs, "finished.sqlite"), { readonly: true });
      expect(copy.query("PRAGMA page_size").get()).toEqual({ page_size: pageSize });
      copy.close();
    }
    await using app = appFor(projects);
    for (const pageSize of [1024, 65536]) {
      const first = await request(
        app,
        `/api/runs/acme/pages-${pageSize}/finished/metrics?path=train/lr&pointCount=10`,
      );
      expect(first.headers.get("server-timing")).toContain('desc="pages"');
    }
    for (const query of QUERIES) {
      const original = await request(app, `/api/runs/acme/long/finished/metrics?${query}`);
      for (const pageSize of [1024, 65536]) {
        const copy = await request(
          app,
          `/api/runs/acme/pages-${pageSize}/finished/metrics?${query}`,
        );
        if (copy.text !== original.text)
          throw new Error(`${query}, ${pageSize}-byte pages: the bodies differ`);
      }
    }
  }, 60_000);
});
