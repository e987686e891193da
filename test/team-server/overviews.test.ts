/**
 * Overviews of long series: kept in the background for quiet runs, they answer a first
 * view of the whole series byte for byte as the series itself would, only at the
 * version they were made for (a stale one is never used), and a running server keeps
 * them without being asked.
 */

import { describe, expect, it } from "bun:test";
import { unpackSeries } from "../../src/api/packed-series.ts";
import { createTeamApp } from "../../src/team-server/app.ts";
import { OverviewKeeper } from "../../src/team-server/overview-keeper.ts";
import { expectSamePacked, expectSameSeries } from "../helpers/series-columns.ts";
import {
  BACKENDS,
  ingestPoints,
  keyFor,
  registerRun,
  teamServer,
  useTeamServers,
} from "../helpers/team-server.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

/** y for a step: NaN, ±Infinity at some steps, and nothing finite at steps 64..79. */
function y(step: number): string {
  if (step >= 64 && step < 80) return step % 3 === 0 ? "NaN" : step % 2 ? "Infinity" : "-Infinity";
  if (step % 29 === 0) return "NaN";
  if (step % 31 === 0) return "Infinity";
  return String(Math.sin(step * 0.7) * 10 + step / 3);
}

const VIEWS = [
  "pointCount=1",
  "pointCount=3",
  "pointCount=10",
  "pointCount=13&firstPointIndex=-3&lastPointIndex=5000",
  "pointCount=100",
  "pointCount=10&lastPointIndex=500",
  "pointCount=7&firstPointIndex=5",
  "pointCount=2000",
];

for (const backend of BACKENDS) {
  describe(`series overviews (${backend})`, () => {
    it("answer whole-series first views exactly, and only at their version", async () => {
      await using a = await teamServer(backend, { compactIntervalMs: 3_600_000 });
      const db = a.server.db;
      const key = await keyFor(a.databaseUrl, ["acme"]);
      const write = (id: string, from: number, count: number) =>
        ingestPoints(
          a.base,
          key,
          id,
          Array.from(
            { length: count },
            (_, i) =>
              `{"path": "m", "step": ${from + i}, "timestampMs": ${1_000_000 + (from + i) * 700}, "number": ${y(from + i)}}`,
          ),
        );
      const long = await registerRun(a.base, key, "long");
      let from = 0;
      for (const count of [37, 100, 251, 5, 600, 7]) {
        await write(long, from, count);
        from += count;
      }
      const short = await registerRun(a.base, key, "short");
      await write(short, 0, 300);

      const get = async (app: ReturnType<typeof createTeamApp>, run: string, query: string) => {
        const response = await app.handle(
          new Request(`http://127.0.0.1/api/runs/acme/p/${run}/metrics?path=m&${query}`, {
            headers: { authorization: `Bearer ${key}` },
          }),
        );
        expect(response.status).toBe(200);
        const timing = response.headers.get("server-timing") ?? "";
        return { text: await response.text(), overview: timing.includes('desc="overview"') };
      };
      /** Views from new processes' caches: how many the overview answered (each exactly). */
      const compare = async (run = "long") => {
        let answered = 0;
        for (const query of VIEWS) {
          const whole = await get(
            createTeamApp({ db, streamViewsFrom: Number.POSITIVE_INFINITY }),
            run,
            query,
          );
          expect(whole.overview).toBe(false);
          const fresh = createTeamApp({ db, streamViewsFrom: 1 });
          const first = await get(fresh, run, query);
          expect({ query, text: first.text }).toEqual({ query, text: whole.text });
          if (first.overview) answered++;
          // Asked again: read whole and held, the same bytes.
          const again = await get(fresh, run, query);
          expect(again.overview).toBe(false);
          expect(again.text).toBe(whole.text);
        }
        return answered;
      };

      expect(await compare()).toBe(0);
      // A run written to within quietMs waits.
      const busy = new OverviewKeeper(db, { minPoints: 500, quietMs: 60_000 });
      expect(await busy.refresh()).toBe(0);
      const keeper = new OverviewKeeper(db, { minPoints: 500, quietMs: 0, rewriteMs: 0 });
      // One that writes a series' overview again only 30 s after it last did.
      const throttled = new OverviewKeeper(db, { minPoints: 500, quietMs: 0 });
      // The long series gets one, the short one (300 points) none.
      expect(await keeper.refresh(Date.now() + 1)).toBe(1);
      expect(await keeper.refresh(Date.now() + 2)).toBe(0);
      // pointCount 1, 3, 10 and 13 over the whole series: buckets of 128 points or more.
      expect(await compare()).toBe(4);
      // The batch route of the UI's charts answers from it too, the same bytes.
      const batch = async (app: ReturnType<typeof createTeamApp>) =>
        (
          await app.handle(
            new Request("http://127.0.0.1/api/series?run=acme/p/long&path=m&pointCount=3", {
              headers: { authorization: `Bearer ${key}` },
            }),
          )
        ).text();
      const expected = await batch(
        createTeamApp({ db, streamViewsFrom: Number.POSITIVE_INFINITY }),
      );
      expect(await batch(createTeamApp({ db, streamViewsFrom: 1 }))).toBe(expected);
      expect(JSON.parse(expected).series[0].points.length).toBeGreaterThan(1);
      // And its columnar form the same figures, whichever way the view was made.
      for (const streamViewsFrom of [1, Number.POSITIVE_INFINITY]) {
        const columns = await createTeamApp({ db, streamViewsFrom }).handle(
          new Request("http://127.0.0.1/api/series/columns?run=acme/p/long&path=m&pointCount=3", {
            headers: { authorization: `Bearer ${key}` },
          }),
        );
        const columnsBody = JSON.parse(await columns.text());
        expectSameSeries(columnsBody.series[0], JSON.parse(expected).series[0]);
        const packed = await createTeamApp({ db, streamViewsFrom }).handle(
          new Request("http://127.0.0.1/api/series/packed?run=acme/p/long&path=m&pointCount=3", {
            headers: { authorization: `Bearer ${key}` },
          }),
        );
        expectSamePacked(unpackSeries(await packed.arrayBuffer()), columnsBody.series);
      }
      expect(await compare("short")).toBe(0);

      // New points: the overview is of an older version and is not used.
      await write(long, from, 300);
      from += 300;
      expect(await compare()).toBe(0);
      const totals = JSON.parse((await get(createTeamApp({ db }), "long", "pointCount=1")).text);
      expect(totals.totalCount).toBe(from);
      // Quiet again: made anew for the new version (by a throttled keeper, 30 s after
      // its first).
      const now = Date.now();
      expect(await throttled.refresh(now + 1)).toBe(1);
      await write(long, from, 1);
      from += 1;
      expect(await throttled.refresh(now + 2)).toBe(0);
      expect(await compare()).toBe(0);
      expect(await throttled.refresh(now + 31_000)).toBe(1);
      expect(await compare()).toBe(4);
    });

    it("are kept by a running server for runs that went quiet", async () => {
      await using a = await teamServer(backend, {
        compactIntervalMs: 20,
        streamViewsFrom: 500,
        overviews: { quietMs: 0 },
      });
      const key = await keyFor(a.databaseUrl, ["acme"]);
      const id = await registerRun(a.base, key, "r");
      await ingestPoints(
        a.base,
        key,
        id,
        Array.from(
          { length: 2000 },
          (_, i) =>
            `{"path": "m", "step": ${i}, "timestampMs": ${1_000_000 + i}, "number": ${y(i)}}`,
        ),
      );
      const app = () => createTeamApp({ db: a.server.db, streamViewsFrom: 500 });
      const view = async () => {
        const response = await app().handle(
          new Request("http://127.0.0.1/api/runs/acme/p/r/metrics?path=m&pointCount=5", {
            headers: { authorization: `Bearer ${key}` },
          }),
        );
        return { timing: response.headers.get("server-timing") ?? "", text: await response.text() };
      };
      const exact = await (
        await createTeamApp({ db: a.server.db, streamViewsFrom: Number.POSITIVE_INFINITY }).handle(
          new Request("http://127.0.0.1/api/runs/acme/p/r/metrics?path=m&pointCount=5", {
            headers: { authorization: `Bearer ${key}` },
          }),
        )
      ).text();
      const answered = await waitFor(async () => {
        const got = await view();
        return got.timing.includes('desc="overview"') ? got : undefined;
      }, "a view answered from the overview");
      expect(answered.text).toBe(exact);
    });
  });
}
