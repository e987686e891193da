/** `/api/series`: many runs' downsampled series in one answer, equal to asking one by one. */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { unpackSeries } from "../../src/api/packed-series.ts";
import { localRun } from "../helpers/runs.ts";
import { expectSamePacked, expectSameSeries } from "../helpers/series-columns.ts";
import { appFor, request } from "../helpers/server.ts";
import { compatHome, tempDir } from "../helpers/temp-dir.ts";

const enc = encodeURIComponent;

/** What the per-run route answers for one series. */
async function single(
  app: Parameters<typeof request>[0],
  project: string,
  runId: string,
  query: string,
) {
  const target = `/api/runs/${project.split("/").map(enc).join("/")}/${enc(runId)}/metrics?${query}`;
  const answer = await request(app, target);
  return answer;
}

/**
 * `sweep/a:long`, 3,001 points of train/loss at fractional steps with NaN and +Infinity
 * (and one of val/acc), and `sweep/a:short`, 9 with -Infinity.
 */
async function writeLongAndShort(home: string): Promise<void> {
  const long = localRun(home, { project: "sweep/a", runId: "long" });
  for (let step = 0; step < 3000; step++)
    long.log("train/loss", step % 499 === 0 ? Number.NaN : 1 / (step + 1), { step: step * 1.5 });
  long.log("train/loss", Number.POSITIVE_INFINITY, { step: 4500 });
  long.log("val/acc", 0.25, { step: 0 });
  await long.close();
  const short = localRun(home, { project: "sweep/a", runId: "short" });
  for (let step = 0; step < 9; step++)
    short.log("train/loss", step === 3 ? Number.NEGATIVE_INFINITY : step * 0.5, { step });
  await short.close();
}

describe("GET /api/series", () => {
  it("answers each series exactly as /metrics does: NaN, ±Infinity, lengths, a run without the path", async () => {
    await using dir = tempDir();
    const long = localRun(dir.path, { project: "sweep/a", runId: "long" });
    for (let step = 0; step < 5000; step++)
      long.log("train/loss", step % 997 === 0 ? Number.NaN : 1 / (step + 1), { step });
    long.log("train/loss", Number.POSITIVE_INFINITY, { step: 5000 });
    long.log("train/loss", Number.NEGATIVE_INFINITY, { step: 5001 });
    long.log("val/acc", 0.5, { step: 0 });
    await long.close();
    const short = localRun(dir.path, { project: "sweep/a", runId: "short" });
    for (let step = 0; step < 37; step += 1)
      short.log("train/loss", step === 3 ? Number.NaN : step * 0.5, { step: step * 2.5 });
    await short.close();
    const other = localRun(dir.path, { project: "p", runId: "no-loss" });
    other.log("val/acc", 0.9, { step: 1 });
    await other.close();
    await using app = appFor(join(dir.path, "projects"));

    const runs: [string, string][] = [
      ["sweep/a", "long"],
      ["sweep/a", "short"],
      ["p", "no-loss"],
    ];
    for (const query of [
      "pointCount=50",
      "pointCount=5000",
      "pointCount=10&firstPointIndex=900&lastPointIndex=1100",
      "pointCount=3&firstPointIndex=30",
    ]) {
      const batch = await request(
        app,
        `/api/series?${runs.map(([p, r]) => `run=${enc(`${p}/${r}`)}`).join("&")}&path=train%2Floss&${query}`,
      );
      expect(batch.status).toBe(200);
      expect(batch.body.series).toHaveLength(3);
      for (const [index, [project, runId]] of runs.entries()) {
        const one = await single(app, project, runId, `path=train%2Floss&${query}`);
        expect(one.status).toBe(200);
        const { project: p, run_id: r, path, ...rest } = batch.body.series[index];
        expect([p, r, path]).toEqual([project, runId, "train/loss"]);
        expect(rest).toEqual(one.body);
      }
    }
    // The strings the figures travel as are the same too, not only their parsed values.
    for (const pointCount of [40, 6000]) {
      const batch = await request(
        app,
        `/api/series?run=sweep%2Fa%2Flong&path=train%2Floss&pointCount=${pointCount}`,
      );
      const one = await single(
        app,
        "sweep/a",
        "long",
        `path=train%2Floss&pointCount=${pointCount}`,
      );
      expect(batch.text).toContain(one.text.slice(1, -1));
      expect(one.text).toContain('"-Infinity"');
      expect(one.text).toContain('"NaN"');
      if (pointCount === 6000) expect(one.text).toContain('"value": "Infinity"');
      expect(batch.body.series[0].totalCount).toBe(5002);
      expect(batch.body.series[0].downsampled).toBe(pointCount === 40);
    }

    const missing = (
      await request(app, "/api/series?run=p%2Fno-loss&path=train%2Floss&pointCount=9")
    ).body.series[0];
    expect(missing).toEqual({
      project: "p",
      run_id: "no-loss",
      path: "train/loss",
      points: [],
      firstPointIndex: 0,
      lastPointIndex: 0,
      totalCount: 0,
      downsampled: false,
    });
  });

  it("answers /api/series/columns with the same figures as columns, for every kind of series", async () => {
    await using dir = tempDir();
    await writeLongAndShort(dir.path);
    await using app = appFor(join(dir.path, "projects"));
    const runs = "run=sweep%2Fa%2Flong&run=sweep%2Fa%2Fshort&run=sweep%2Fa%2Fgone";
    for (const query of [
      "pointCount=50",
      "pointCount=4000",
      "pointCount=7&firstPointIndex=1000&lastPointIndex=1999",
      "pointCount=3&firstPointIndex=2",
      "pointCount=5&firstPointIndex=5000",
    ]) {
      const points = await request(app, `/api/series?${runs}&path=train%2Floss&${query}`);
      const columns = await request(app, `/api/series/columns?${runs}&path=train%2Floss&${query}`);
      expect(columns.status).toBe(200);
      expect(columns.headers.get("server-timing")).toMatch(/^series;desc="3 series";dur=/);
      const [longPoints, shortPoints, gone] = points.body.series;
      const [longColumns, shortColumns, goneColumns] = columns.body.series;
      expect([longColumns.project, longColumns.run_id, longColumns.path]).toEqual([
        "sweep/a",
        "long",
        "train/loss",
      ]);
      expectSameSeries(longColumns, longPoints);
      expectSameSeries(shortColumns, shortPoints);
      expect(goneColumns).toEqual(gone);
    }
    // A downsampled answer: raw end points around the buckets, NaN and ±Infinity as strings.
    const whole = (
      await request(app, "/api/series/columns?run=sweep%2Fa%2Flong&path=train%2Floss&pointCount=50")
    ).body.series[0];
    expect(whole.downsampled).toBe(true);
    expect(whole.bucketed[0]).toBe(1);
    expect(whole.step[0]).toBe(0);
    expect(whole.step[whole.step.length - 1]).toBe(4500);
    expect(whole.value[whole.value.length - 1]).toBe("Infinity");
  });

  it("answers /api/series/packed with exactly the figures of /api/series/columns, as float64", async () => {
    await using dir = tempDir();
    await writeLongAndShort(dir.path);
    await using app = appFor(join(dir.path, "projects"));
    // Missing runs and a run without the path between runs with points, so that the
    // numbers of each entry are read from where the ones before left off.
    const runs = "run=sweep%2Fa%2Fgone&run=sweep%2Fa%2Flong&run=sweep%2Fa%2Fshort&run=x%2Fgone";
    for (const query of [
      "path=train%2Floss&pointCount=50",
      "path=train%2Floss&pointCount=4000",
      "path=train%2Floss&pointCount=7&firstPointIndex=1000&lastPointIndex=1999",
      "path=train%2Floss&pointCount=3&firstPointIndex=2",
      "path=train%2Floss&pointCount=5&firstPointIndex=5000",
      "path=val%2Facc&path=train%2Floss&path=val%2Facc&path=train%2Floss&pointCount=13&pointCount=9&pointCount=2&pointCount=1",
    ]) {
      const columns = await request(app, `/api/series/columns?${runs}&${query}`);
      const response = await app.handle(
        new Request(`http://localhost/api/series/packed?${runs}&${query}`),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/octet-stream");
      expect(response.headers.get("server-timing")).toMatch(/^series;desc="4 series";dur=/);
      expectSamePacked(unpackSeries(await response.arrayBuffer()), columns.body.series);
    }
    // Downsampled, the NaN and +Infinity points the buckets leave out come with the figures;
    // raw points carry their own values.
    const packed = async (query: string) =>
      unpackSeries(
        await (
          await app.handle(
            new Request(`http://localhost/api/series/packed?run=sweep%2Fa%2Flong&${query}`),
          )
        ).arrayBuffer(),
      )[0] as unknown as Record<string, unknown>;
    const bucketed = await packed("path=train%2Floss&pointCount=50");
    // Points 0, 499, 998, … (at 1.5 steps each) are NaN; the first one and the last point
    // (+Infinity, step 4500) are the raw ends of the view.
    expect(bucketed.nonFinite).toEqual({
      step: [748.5, 1497, 2245.5, 2994, 3742.5, 4491],
      value: new Array(6).fill(Number.NaN),
      loggedAt: expect.any(Array),
    });
    expect((bucketed.value as number[])[0]).toBeNaN();
    expect((bucketed.value as number[]).at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect("nonFinite" in (await packed("path=train%2Floss&pointCount=4000"))).toBe(false);
    // A query the route refuses is a JSON error, as on every route.
    const refused = await request(app, "/api/series/packed?run=a%2Fb&path=x");
    expect(refused.status).toBe(400);
    expect(typeof refused.body.error).toBe("string");
  });

  it("pairs paths and point ranges with runs by position (a System chart's processes)", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const paths = (
      await request(app, "/api/runs/acme/vision/sweep-large-88/metric-paths")
    ).body.paths.slice(0, 2) as string[];
    expect(paths.length).toBe(2);
    const items: [string, string, string, number][] = [
      ["acme/vision", "sweep-large-88", paths[0] as string, 0],
      ["acme/vision", "sweep-large-88", paths[1] as string, 100],
      ["default", "live-91aa", "train/loss", 1],
      ["default", "live-91aa", "train/acc", 0],
    ];
    const query = items
      .map(
        ([p, r, path, first]) =>
          `run=${enc(`${p}/${r}`)}&path=${enc(path)}&firstPointIndex=${first}`,
      )
      .join("&");
    const batch = await request(app, `/api/series?${query}&pointCount=20`);
    expect(batch.status).toBe(200);
    expect(batch.headers.get("access-control-allow-origin")).toBe("*");
    expect(batch.headers.get("server-timing")).toMatch(/^series;desc="4 series";dur=/);
    for (const [index, [project, runId, path, first]] of items.entries()) {
      const one = await single(
        app,
        project,
        runId,
        `path=${enc(path)}&pointCount=20&firstPointIndex=${first}`,
      );
      expect(batch.body.series[index]).toEqual({ project, run_id: runId, path, ...one.body });
      expect(one.body.totalCount).toBeGreaterThan(0);
    }
  });

  it("pairs pointCount with runs by position (the charts of a board, each its own width, in one request)", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const items: [string, string, string, number][] = [
      ["acme/vision", "sweep-large-88", "train/loss", 7],
      ["acme/vision", "sweep-large-88", "train/loss", 300],
      ["default", "live-91aa", "train/loss", 2],
    ];
    const query = items
      .map(([p, r, path, count]) => `run=${enc(`${p}/${r}`)}&path=${enc(path)}&pointCount=${count}`)
      .join("&");
    for (const route of ["/api/series", "/api/series/columns"]) {
      const batch = await request(app, `${route}?${query}`);
      expect(batch.status).toBe(200);
      const alone = await Promise.all(
        items.map(([p, r, path, count]) =>
          request(app, `${route}?run=${enc(`${p}/${r}`)}&path=${enc(path)}&pointCount=${count}`),
        ),
      );
      expect(batch.body.series).toEqual(alone.map((one) => one.body.series[0]));
    }
    // Downsampled to each one's own count (at most that many buckets, and the raw ends).
    const columns = await request(app, `/api/series/columns?${query}`);
    const [few, many] = columns.body.series as { step: number[]; totalCount: number }[];
    expect(few?.step.length).toBeLessThanOrEqual(9);
    expect(many?.step.length).toBeGreaterThan(100);
    expect(many?.step.length).toBeLessThanOrEqual(302);
    const mismatched = await request(
      app,
      `/api/series?run=a%2Fb&run=a%2Fc&run=a%2Fd&path=x&pointCount=5&pointCount=6`,
    );
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.error).toMatch(/pointCount must be given once, or once per run \(3\)/);
  });

  it("answers a run that does not exist in its own entry, with the per-run 404 message", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const batch = await request(
      app,
      "/api/series?run=default%2Fgone&run=default%2Flive-91aa&path=train%2Floss&pointCount=5",
    );
    expect(batch.status).toBe(200);
    const gone = await request(app, "/api/runs/default/gone/metrics?path=train/loss&pointCount=5");
    expect(gone.status).toBe(404);
    expect(batch.body.series[0]).toEqual({
      project: "default",
      run_id: "gone",
      path: "train/loss",
      error: gone.body.error,
    });
    expect(batch.body.series[1].totalCount).toBeGreaterThan(0);
  });

  it("answers bad parameters with 400 and a message that says what to send", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const cases: [string, RegExp][] = [
      ["path=x&pointCount=5", /run is required/],
      ["run=default%2Flive-91aa&pointCount=5", /path is required/],
      ["run=default%2Flive-91aa&path=x", /pointCount is required/],
      ["run=default%2Flive-91aa&path=x&pointCount=1.5", /pointCount is required/],
      ["run=default%2Flive-91aa&path=x&pointCount=0", /positive integer/],
      ["run=default%2Flive-91aa&path=x&pointCount=5&firstPointIndex=q", /must be integers/],
      ["run=a%2Fb&run=a%2Fc&run=a%2Fd&path=x&path=y&pointCount=5", /once per run \(3\)/],
      ["run=live-91aa&path=x&pointCount=5", /project\/runId/],
      ["run=default%2Flive-91aa&path=&pointCount=5", /must not be empty/],
    ];
    for (const [query, message] of cases) {
      const answer = await request(app, `/api/series?${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.body.error).toMatch(message);
    }
    const many = Array.from({ length: 2001 }, () => "run=default%2Flive-91aa").join("&");
    const tooMany = await request(app, `/api/series?${many}&path=x&pointCount=5`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/At most 2000/);
  });
});
