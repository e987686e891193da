import { describe, expect, it } from "bun:test";
import { bucketedBody, downsampledBody } from "../../../src/server/bodies.ts";
import {
  buildOverview,
  overviewBuckets,
  overviewTotal,
} from "../../../src/team-server/overview.ts";

/** A series with fractional steps, awkward sums, NaN and ±Infinity, repeated timestamps. */
function series(n: number, seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const steps = new Float64Array(n);
  const ys = new Float64Array(n);
  const ts = new Float64Array(n);
  let step = random() * 10;
  for (let i = 0; i < n; i++) {
    step += random() < 0.5 ? 1 : 0.1 + random();
    steps[i] = step;
    const r = random();
    ys[i] =
      r < 0.01
        ? Number.NaN
        : r < 0.015
          ? Number.POSITIVE_INFINITY
          : r < 0.02
            ? Number.NEGATIVE_INFINITY
            : (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6);
    ts[i] = 1_767_225_600 + Math.floor(i / 7);
  }
  return { steps, ys, ts, length: n };
}

function fromOverview(body: Uint8Array, pointCount: number): string | undefined {
  const answer = overviewBuckets(body, pointCount);
  if (!answer) return undefined;
  return bucketedBody(
    "train/loss",
    answer.total,
    { first: 0, last: answer.total - 1 },
    answer.buckets,
    { first: answer.first, last: answer.last },
  );
}

describe("series overview", () => {
  it("answers every whole-series view it keeps a level for, byte for byte", async () => {
    for (const [n, seed] of [
      [128, 1],
      [129, 2],
      [1000, 3],
      [4096, 4],
      [70_001, 5],
    ] as const) {
      const rows = series(n, seed);
      const body = await buildOverview(rows);
      expect(overviewTotal(body)).toBe(n);
      let answered = 0;
      for (const pointCount of [1, 2, 3, 7, 100, 500, 547, 1000, n - 1, n, n + 5]) {
        const expected = downsampledBody(rows, {
          path: "train/loss",
          pointCount,
          first: undefined,
          last: undefined,
        });
        const got = fromOverview(body, pointCount);
        if (got === undefined) continue;
        answered++;
        expect(got).toBe(expected);
      }
      expect(answered).toBeGreaterThan(0);
    }
  });

  it("answers nothing for bucket sizes below its first level or views that are not bucketed", async () => {
    const rows = series(10_000, 9);
    const body = await buildOverview(rows);
    // 10,000 points to 5,000 buckets: buckets of 2, below the 128 kept.
    expect(overviewBuckets(body, 5000)).toBeUndefined();
    expect(overviewBuckets(body, 10_000)).toBeUndefined();
    expect(overviewBuckets(body, 100)?.buckets.length).toBe(79);
    expect(overviewBuckets(new Uint8Array(12), 100)).toBeUndefined();
  });

  it("reads a body at any byte offset, as a database driver hands it over", async () => {
    const rows = series(5000, 11);
    const body = await buildOverview(rows);
    const shifted = new Uint8Array(body.byteLength + 3);
    shifted.set(body, 3);
    expect(fromOverview(shifted.subarray(3), 40)).toBe(fromOverview(body, 40));
  });
});
