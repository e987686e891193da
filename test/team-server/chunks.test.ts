/**
 * Metric chunks: the codec round-trips every double bit for bit, the merge rules hold
 * (last in a batch, later timestamp, later arrival on a tie), and background
 * compaction changes no point while it folds many small chunks into few.
 */

import { describe, expect, it } from "bun:test";
import {
  decodeChunk,
  decodeChunkSecondsInto,
  encodeChunk,
} from "../../src/team-server/chunk-codec.ts";
import { compactAll } from "../../src/team-server/compactor.ts";
import { openDatabase } from "../../src/team-server/database.ts";
import { batchColumns, mergeSeries } from "../../src/team-server/series-merge.ts";
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

describe("chunk codec", () => {
  it("round-trips steps, values and timestamps bit for bit", () => {
    const next = random(7);
    const n = 5000;
    const steps = new Float64Array(n).map((_, i) => (i % 3 === 0 ? i * 0.1 : i));
    const ys = new Float64Array(n).map(() => (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20));
    ys[1] = Number.NaN;
    ys[2] = Number.POSITIVE_INFINITY;
    ys[3] = -0;
    ys[4] = 5e-324;
    const view = new DataView(ys.buffer);
    view.setBigUint64(5 * 8, 0x7ff8_0000_dead_beefn, true);
    const tsMs = new Float64Array(n).map((_, i) => 1_796_000_000_000 + i * 1000);
    const back = decodeChunk(encodeChunk({ steps, ys, tsMs, length: n }));
    expect(Buffer.from(back.steps.buffer).equals(Buffer.from(steps.buffer))).toBe(true);
    expect(Buffer.from(back.ys.buffer).equals(Buffer.from(ys.buffer))).toBe(true);
    expect(Buffer.from(back.tsMs.buffer).equals(Buffer.from(tsMs.buffer))).toBe(true);
  });

  it("costs a few bytes a point for a regular series", () => {
    const n = 65_536;
    const steps = new Float64Array(n).map((_, i) => i);
    const ys = new Float64Array(n).map((_, i) => 2 * Math.exp(-i / 20_000) + Math.sin(i) * 0.01);
    const tsMs = new Float64Array(n).map((_, i) => 1_796_000_000_000 + Math.floor(i / 100) * 1000);
    expect(encodeChunk({ steps, ys, tsMs, length: n }).length / n).toBeLessThan(10);
  });

  it("round-trips every column shape of the plain form, and the deflated form it falls back to", () => {
    const next = random(11);
    const n = 3000;
    const shapes: Record<string, (i: number) => number> = {
      constant: (i) => 7 + i * 3,
      "one byte": (i) => i * 5 + (i % 7),
      "two bytes": (i) => 1_700_000_000_000 + i * 1000 + (i % 3) * 20_000,
      "four bytes": (i) => 1_000 * i * (i % 2 === 0 ? 1 : -1) * 1000,
      "whole seconds": (i) => 1_796_000_000_000 + Math.floor(i / 7) * 1000,
      "beyond four bytes": (i) => (i % 2) * 2 ** 40,
      negative: (i) => -5 - i,
      "safe extremes": (i) => (i % 2 === 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER),
      "negative zero": (i) => (i === 9 ? -0 : i),
      fractional: (i) => i / 3,
      random: () => next() * 1e6,
    };
    const bits = (values: Float64Array) =>
      Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    for (const [name, shape] of Object.entries(shapes)) {
      for (const length of [0, 1, 2, n]) {
        const values = new Float64Array(length).map((_, i) => shape(i));
        const steps = new Float64Array(length).map((_, i) => i);
        const body = encodeChunk({ steps, ys: values, tsMs: values, length });
        const back = decodeChunk(body);
        expect({ name, length, n: back.length }).toEqual({ name, length, n: length });
        expect({ name, length, same: bits(back.ys).equals(bits(values)) }).toEqual({
          name,
          length,
          same: true,
        });
        expect({ name, length, same: bits(back.tsMs).equals(bits(values)) }).toEqual({
          name,
          length,
          same: true,
        });
        expect(bits(back.steps).equals(bits(steps))).toBe(true);
        // Straight into columns with room, the timestamps in whole seconds.
        const target = {
          steps: new Float64Array(length + 3),
          ys: new Float64Array(length + 3),
          ts: new Float64Array(length + 3),
        };
        expect(decodeChunkSecondsInto(body, target, 2)).toBe(length);
        expect([...target.ts.subarray(2, 2 + length)]).toEqual(
          [...values].map((ms) => Math.floor(ms / 1000)),
        );
        expect(bits(target.ys.subarray(2, 2 + length)).equals(bits(values))).toBe(true);
      }
    }
    // Fractional steps, random values and timestamps: more than 16 bytes a point plain,
    // so deflated (the format chunks had before the plain form), and read back the same.
    const steps = new Float64Array(n).map((_, i) => i + next());
    const ys = new Float64Array(n).map(() => next());
    const tsMs = new Float64Array(n).map(() => next() * 1e12);
    const body = encodeChunk({ steps, ys, tsMs, length: n });
    expect(body[0]).not.toBe(0x06);
    const back = decodeChunk(body);
    expect(bits(back.steps).equals(bits(steps))).toBe(true);
    expect(bits(back.ys).equals(bits(ys))).toBe(true);
    expect(bits(back.tsMs).equals(bits(tsMs))).toBe(true);
    const target = { steps: new Float64Array(n), ys: new Float64Array(n), ts: new Float64Array(n) };
    expect(decodeChunkSecondsInto(body, target, 0)).toBe(n);
    expect([...target.ts]).toEqual([...tsMs].map((ms) => Math.floor(ms / 1000)));
  });

  it("refuses a truncated plain chunk instead of reading past it", () => {
    const steps = new Float64Array(100).map((_, i) => i * i);
    const body = encodeChunk({ steps, ys: steps, tsMs: steps, length: 100 });
    expect(body[0]).toBe(0x06);
    expect(() => decodeChunk(body.subarray(0, body.length - 1))).toThrow(/truncated/);
  });
});

describe("series merge", () => {
  it("keeps the last point of a step in a batch, the later timestamp across batches, the later arrival on a tie", () => {
    const a = batchColumns([1, 2, 1], [10, 20, 11], [5, 5, 5]);
    expect([...a.ys]).toEqual([11, 20]);
    const b = batchColumns([1, 2, 3], [99, 21, 30], [4, 5, 5]);
    const merged = mergeSeries([], [a, b]);
    expect([...merged.steps]).toEqual([1, 2, 3]);
    expect([...merged.ys]).toEqual([11, 21, 30]);
  });
});

for (const backend of BACKENDS) {
  describe(`compaction (${backend})`, () => {
    it("folds many out-of-order chunks into few and changes no point", async () => {
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
      const next = random(42);
      const model = new Map<number, { y: number; ts: number }>();
      for (let batch = 0; batch < 40; batch++) {
        const points = [];
        for (let i = 0; i < 200; i++) {
          const step = Math.floor(next() * 3000) + (next() < 0.2 ? 0.5 : 0);
          const ts = 1000 * Math.floor(next() * 50);
          const y = next();
          points.push({ path: "m", step, timestampMs: ts, number: y });
        }
        // The model: the last of a step within the batch, then the later timestamp.
        const last = new Map<number, { y: number; ts: number }>();
        for (const point of points)
          last.set(point.step, { y: point.number, ts: point.timestampMs });
        for (const [step, point] of last) {
          const old = model.get(step);
          if (!old || point.ts >= old.ts) model.set(step, point);
        }
        expect(
          (await call(team.base, key, "POST", `/api/v1/runs/${id}/ingest`, { points })).status,
        ).toBe(200);
      }
      const expected = [...model]
        .sort((x, y) => x[0] - y[0])
        .map(([step, point]) => [step, point.y]);
      const read = async () =>
        (
          (await call(team.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=m`)).json as {
            raw_points: { step: number; y: number }[];
          }
        ).raw_points.map((p) => [p.step, p.y]);
      expect(await read()).toEqual(expected);
      const db = await openDatabase(team.databaseUrl);
      try {
        const count = async () =>
          Number((await db.sql`SELECT count(*) AS n FROM metric_chunks`)[0].n);
        expect(await count()).toBe(40);
        while ((await compactAll(db)) > 0) {}
        expect(await count()).toBe(1);
        expect(await read()).toEqual(expected);
      } finally {
        await db.close();
      }
    }, 120_000);
  });
}
