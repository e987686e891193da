/**
 * Compaction that runs beside ingest and beside another server's compactor: it reads
 * and merges outside any lock and swaps under the series lock, so it must change no
 * point when batches land meanwhile, and two compactors of one series must not both
 * rewrite it (the second finds its chunks gone and leaves everything as it is).
 */

import { describe, expect, it } from "bun:test";
import { compactAll, compactSeries } from "../../src/team-server/compactor.ts";
import { openDatabase } from "../../src/team-server/database.ts";
import { BACKENDS, call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";

useTeamServers();

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Model = Map<number, { y: number; ts: number }>;

/** A batch of random points (repeated and out-of-order steps), applied to `model` as the server must. */
function batch(next: () => number, model: Model) {
  const points = [];
  for (let i = 0; i < 200; i++) {
    const step = Math.floor(next() * 3000) + (next() < 0.2 ? 0.5 : 0);
    points.push({ path: "m", step, timestampMs: 1000 * Math.floor(next() * 50), number: next() });
  }
  const last = new Map<number, { y: number; ts: number }>();
  for (const point of points) last.set(point.step, { y: point.number, ts: point.timestampMs });
  for (const [step, point] of last) {
    const old = model.get(step);
    if (!old || point.ts >= old.ts) model.set(step, point);
  }
  return { points };
}

for (const backend of BACKENDS) {
  describe(`compaction beside ingest (${backend})`, () => {
    it("changes no point while batches land during it, and two compactors rewrite a series once", async () => {
      await using team = await teamServer(backend, { compactIntervalMs: 3_600_000 });
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const id = (
        (
          await call(team.base, key, "POST", "/api/v1/runs", {
            workspace: "acme",
            project: "p",
            run_id: "r",
            experiment_name: null,
          })
        ).json as { id: string }
      ).id;
      const next = random(1234);
      const model: Model = new Map();
      const ingest = async () =>
        expect(
          (await call(team.base, key, "POST", `/api/v1/runs/${id}/ingest`, batch(next, model)))
            .status,
        ).toBe(200);
      for (let i = 0; i < 12; i++) await ingest();
      const read = async () =>
        (
          (await call(team.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=m`)).json as {
            raw_points: { step: number; y: number }[];
          }
        ).raw_points.map((p) => [p.step, p.y]);
      const expected = () =>
        [...model].sort((x, y) => x[0] - y[0]).map(([step, point]) => [step, point.y]);

      const one = await openDatabase(team.databaseUrl);
      const two = await openDatabase(team.databaseUrl);
      try {
        const [series] = await one.sql`SELECT id FROM series WHERE kind = 0`;
        const seriesId = Number(series.id);
        const count = async () =>
          Number((await one.sql`SELECT count(*) AS n FROM metric_chunks`)[0].n);
        // Two servers' compactors on one series at once: one rewrites it, the other
        // finds the chunks it read gone and changes nothing.
        const done = await Promise.all([
          compactSeries(one.sql, seriesId),
          compactSeries(two.sql, seriesId),
        ]);
        expect(done.filter(Boolean)).toHaveLength(1);
        expect(await count()).toBe(1);
        expect(await read()).toEqual(expected());

        // Compaction passes running while more batches arrive, in both orders.
        for (let round = 0; round < 4; round++) {
          const landing = (async () => {
            for (let i = 0; i < 6; i++) await ingest();
          })();
          const compacting = (async () => {
            for (let i = 0; i < 6; i++) await compactAll(i % 2 === 0 ? one : two, 2);
          })();
          await Promise.all([landing, compacting]);
          expect(await read()).toEqual(expected());
        }
        while ((await compactAll(one, 1)) > 0) {}
        expect(await count()).toBe(1);
        expect(await read()).toEqual(expected());
      } finally {
        await one.close();
        await two.close();
      }
    }, 120_000);
  });
}
