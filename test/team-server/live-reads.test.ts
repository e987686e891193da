/**
 * A series cached by a server follows every change to it: points appended (taken from
 * the run lookup, without a query of its own), earlier points overwritten, a write
 * through another server on the same database, and compaction. After each change the
 * cached answer equals the model and the other server's answer, byte for byte.
 */

import { describe, expect, it } from "bun:test";
import { compactAll } from "../../src/team-server/compactor.ts";
import { openDatabase } from "../../src/team-server/database.ts";
import {
  BACKENDS,
  call,
  keyFor,
  registerRun,
  teamServer,
  useTeamServers,
} from "../helpers/team-server.ts";

useTeamServers();

for (const backend of BACKENDS) {
  describe(`live reads (${backend})`, () => {
    it("keep a cached series equal to the database through appends, overwrites, other servers and compaction", async () => {
      const options = { compactIntervalMs: 3_600_000 };
      await using a = await teamServer(backend, options);
      await using b = await teamServer(backend, options, a.databaseUrl);
      const key = await keyFor(a.databaseUrl, ["acme"]);
      const id = await registerRun(a.base, key, "r");
      const model = new Map<number, { y: number; ts: number }>();
      const write = async (
        base: string,
        steps: number[],
        y: (step: number) => number,
        ts: number,
      ) => {
        const points = steps.map((step) => ({ path: "m", step, timestampMs: ts, number: y(step) }));
        const answer = await call(base, key, "POST", `/api/v1/runs/${id}/ingest`, { points });
        expect(answer.status).toBe(200);
        for (const step of steps) {
          const old = model.get(step);
          if (!old || ts >= old.ts) model.set(step, { y: y(step), ts });
        }
      };
      const range = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => from + i);
      const view = "/api/runs/acme/p/r/metrics?path=m&pointCount=40";
      let gzipped = 0;
      const check = async (source?: string) => {
        // The first read after a change: where its series came from.
        const fromA = await call(a.base, key, "GET", view);
        expect(fromA.status).toBe(200);
        if (source) expect(fromA.headers.get("server-timing") ?? "").toContain(`desc="${source}"`);
        expect(fromA.text).toBe((await call(b.base, key, "GET", view)).text);
        // A view long enough to be gzipped: from A (a kept head once repeated), gzipped
        // and plain, equals B's.
        const long = "/api/runs/acme/p/r/metrics?path=m&pointCount=150";
        const fetched = async (base: string, encoding: string) => {
          const response = await fetch(`${base}${long}`, {
            headers: { authorization: `Bearer ${key}`, "accept-encoding": encoding },
          });
          const text = await response.text();
          const sent = response.headers.get("content-encoding") ?? "identity";
          // Answers below 16 K characters go plain.
          expect(sent).toBe(text.length >= 16_384 ? encoding : "identity");
          if (sent === "gzip") gzipped++;
          return text;
        };
        const expected = await fetched(b.base, "identity");
        for (const encoding of ["gzip", "identity", "gzip"])
          expect(await fetched(a.base, encoding)).toBe(expected);
        const raw = await call(a.base, key, "GET", "/api/runs/acme/p/r/metrics?path=m");
        const points = (raw.json as { metrics: { step: number; value: number }[] }).metrics;
        expect(points.map((point) => [point.step, point.value])).toEqual(
          [...model].sort((x, y) => x[0] - y[0]).map(([step, point]) => [step, point.y]),
        );
      };

      await write(a.base, range(0, 300), (step) => step / 7, 1_000);
      await check();
      // A repeated view, and one after points appended: both from memory, the new
      // points taken in by the run lookup.
      await check("memory");
      await write(a.base, range(300, 25), (step) => step / 3, 2_000);
      await check("memory");
      // Earlier steps overwritten by later timestamps, and ignored at earlier ones.
      await write(a.base, range(100, 20), () => -1, 3_000);
      await check();
      await write(a.base, range(110, 20), () => -2, 500);
      await check();
      // Through the other server, then compaction folding chunks that A has seen and
      // one it has not.
      await write(b.base, range(325, 40), (step) => step * 2, 4_000);
      await check();
      const db = await openDatabase(a.databaseUrl);
      try {
        await write(b.base, range(50, 10), () => 7, 5_000);
        while ((await compactAll(db, 1)) > 0) {}
        await check();
        await write(a.base, range(365, 5), () => 0.25, 6_000);
        while ((await compactAll(db, 1)) > 0) {}
        await check();
        expect(gzipped).toBeGreaterThan(0);
      } finally {
        await db.close();
      }
    }, 120_000);
  });
}
