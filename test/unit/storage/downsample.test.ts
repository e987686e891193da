import { describe, expect, it } from "bun:test";
import { BucketStream, bucketize, bucketSize } from "../../../src/storage/downsample.ts";

function rows(ys: number[]) {
  return {
    steps: ys.map((_, index) => index),
    ys,
    ts: ys.map((_, index) => 1000 + index),
    length: ys.length,
  };
}

describe("bucketSize", () => {
  it("is the smallest power of two that fits the points into the buckets", () => {
    expect(bucketSize(10, 10)).toBe(1);
    expect(bucketSize(11, 10)).toBe(2);
    expect(bucketSize(1_000_000, 1000)).toBe(1024);
    expect(bucketSize(1024, 1)).toBe(1024);
    expect(bucketSize(0, 5)).toBe(1);
  });
});

describe("bucketize", () => {
  it("averages steps and values, keeps min and max, and takes the middle point's ts", () => {
    const buckets = bucketize(rows([1, 5, 3, 7, 2]), 0, 5, 2);
    expect(buckets).toEqual([
      { step: 0.5, value: 3, minY: 1, maxY: 5, count: 2, ts: 1001 },
      { step: 2.5, value: 5, minY: 3, maxY: 7, count: 2, ts: 1003 },
      { step: 4, value: 2, minY: 2, maxY: 2, count: 1, ts: 1004 },
    ]);
  });

  it("leaves non-finite values out of value, min and max, but counts their points", () => {
    const [mixed, none] = bucketize(
      rows([Number.NaN, 4, Number.POSITIVE_INFINITY, 2, Number.NaN, Number.NEGATIVE_INFINITY]),
      0,
      6,
      4,
    );
    expect(mixed).toMatchObject({ value: 3, minY: 2, maxY: 4, count: 4, step: 1.5 });
    expect(none?.count).toBe(2);
    expect(none?.value).toBeNaN();
    expect(none?.minY).toBeNaN();
    expect(none?.maxY).toBeNaN();
  });

  it("buckets only the rows asked for", () => {
    const buckets = bucketize(rows([9, 1, 2, 3, 4, 9]), 1, 5, 2);
    expect(buckets.map((bucket) => [bucket.step, bucket.value])).toEqual([
      [1.5, 1.5],
      [3.5, 3.5],
    ]);
  });

  it("sums sequentially, as the Python server does", () => {
    // 0.1 + 0.2 + 0.3 in order is 0.6000000000000001, not 0.6.
    const [bucket] = bucketize(rows([0.1, 0.2, 0.3]), 0, 3, 4);
    expect(bucket?.value).toBe((0.1 + 0.2 + 0.3) / 3);
  });
});

describe("BucketStream", () => {
  it("makes the same buckets, to the bit, as bucketize over any range", () => {
    const ys: number[] = [];
    for (let i = 0; i < 300; i++)
      ys.push(
        i % 17 === 0
          ? Number.NaN
          : i % 23 === 0
            ? -Infinity
            : i % 19 === 0
              ? Infinity
              : Math.sin(i) * 1e3 + 0.1 * i,
      );
    for (let i = 100; i < 120; i++) ys[i] = Number.NaN;
    const series = { ...rows(ys), steps: ys.map((_, i) => i * 0.1 + 0.3) };
    for (const [from, to, k] of [
      [0, 300, 1],
      [0, 300, 8],
      [3, 250, 16],
      [100, 120, 4],
      [7, 8, 32],
      [0, 300, 512],
    ] as const) {
      const stream = new BucketStream(from, to, k);
      for (let i = from; i < to; i++)
        stream.push(series.steps[i] as number, ys[i] as number, series.ts[i] as number);
      const expected = bucketize(series, from, to, k);
      expect(stream.buckets.length).toBe(expected.length);
      stream.buckets.forEach((bucket, i) => {
        const want = expected[i] as (typeof expected)[number];
        for (const field of ["step", "value", "minY", "maxY", "count", "ts"] as const)
          expect(Object.is(bucket[field], want[field])).toBe(true);
      });
    }
  });
});
