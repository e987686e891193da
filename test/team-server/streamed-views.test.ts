/**
 * The first view of a large series is written by streaming its chunks through the
 * buckets, without holding the series: the answer must be byte for byte the one
 * written from the whole series (FORMAT.md's exact sums), for chunk boundaries inside
 * buckets, NaN and ±Infinity (a bucket of nothing finite too), first/last positions
 * cutting chunks, answers that are not downsampled, compacted chunks, and fresh
 * chunks over earlier steps (which take the exact path).
 */

import { describe, expect, it } from "bun:test";
import { createTeamApp } from "../../src/team-server/app.ts";
import { compactAll } from "../../src/team-server/compactor.ts";
import {
  BACKENDS,
  call,
  keyFor,
  registerRun,
  teamServer,
  useTeamServers,
} from "../helpers/team-server.ts";

useTeamServers();

/** y for a step: NaN, ±Infinity at some steps, and nothing finite at steps 64..79. */
function y(step: number, shift: number): string {
  if (step >= 64 && step < 80) return step % 3 === 0 ? "NaN" : step % 2 ? "Infinity" : "-Infinity";
  if (step % 29 === 0) return "NaN";
  if (step % 31 === 0) return "Infinity";
  if (step % 37 === 0) return "-Infinity";
  return String(Math.sin(step * 0.7) * 10 + shift + step / 3);
}

const VIEWS = [
  "pointCount=1",
  "pointCount=3",
  "pointCount=10",
  "pointCount=100",
  "pointCount=999",
  "pointCount=1000",
  "pointCount=7&firstPointIndex=5",
  "pointCount=10&lastPointIndex=500",
  "pointCount=9&firstPointIndex=37&lastPointIndex=136",
  "pointCount=13&firstPointIndex=-3&lastPointIndex=5000",
  "pointCount=4&firstPointIndex=990&lastPointIndex=995",
  "pointCount=5&firstPointIndex=600&lastPointIndex=10",
  "pointCount=2&firstPointIndex=999",
  "pointCount=50&firstPointIndex=1000",
];

for (const backend of BACKENDS) {
  describe(`streamed first views (${backend})`, () => {
    it("answer byte for byte what the whole series answers", async () => {
      await using a = await teamServer(backend, { compactIntervalMs: 3_600_000 });
      const key = await keyFor(a.databaseUrl, ["acme"]);
      const id = await registerRun(a.base, key, "r");
      const write = async (from: number, count: number, shift: number, ts: number) => {
        const points = Array.from(
          { length: count },
          (_, i) =>
            `{"path": "m", "step": ${from + i}, "timestampMs": ${ts + (from + i) * 700}, "number": ${y(from + i, shift)}}`,
        );
        const answer = await call(
          a.base,
          key,
          "POST",
          `/api/v1/runs/${id}/ingest`,
          `{"points": [${points.join(", ")}]}`,
        );
        expect(answer.status).toBe(200);
      };
      // Chunks of sizes that no power of two divides: boundaries fall inside buckets.
      let from = 0;
      for (const count of [37, 100, 251, 5, 600, 7]) {
        await write(from, count, 0, 1_000_000);
        from += count;
      }
      const get = async (app: ReturnType<typeof createTeamApp>, query: string) => {
        const response = await app.handle(
          new Request(`http://127.0.0.1/api/runs/acme/p/r/metrics?path=m&${query}`, {
            headers: { authorization: `Bearer ${key}` },
          }),
        );
        expect(response.status).toBe(200);
        const timing = response.headers.get("server-timing") ?? "";
        return { text: await response.text(), streamed: timing.includes('desc="streamed"') };
      };
      const compare = async (expectStreamed: boolean) => {
        let streamedAny = false;
        for (const query of VIEWS) {
          const exact = await get(
            createTeamApp({ db: a.server.db, streamViewsFrom: Number.POSITIVE_INFINITY }),
            query,
          );
          expect(exact.streamed).toBe(false);
          const fresh = createTeamApp({ db: a.server.db, streamViewsFrom: 1 });
          const first = await get(fresh, query);
          expect({ query, text: first.text }).toEqual({ query, text: exact.text });
          // Asked again: read whole and held, the same bytes.
          const again = await get(fresh, query);
          expect(again.streamed).toBe(false);
          expect(again.text).toBe(exact.text);
          expect((await get(fresh, query)).text).toBe(exact.text);
          streamedAny ||= first.streamed;
          if (!expectStreamed) expect(first.streamed).toBe(false);
        }
        expect(streamedAny).toBe(expectStreamed);
      };
      // Fresh chunks, each after the last step.
      await compare(true);
      // Compacted into fewer chunks.
      while ((await compactAll(a.server.db, 1)) > 0) {}
      await compare(true);
      // A fresh chunk over earlier steps: the series must be merged, so it is read whole.
      await write(100, 20, 5, 2_000_000);
      await compare(false);
      // Compacted again, the overwritten points in place.
      while ((await compactAll(a.server.db, 1)) > 0) {}
      await compare(true);
    }, 120_000);
  });
}
