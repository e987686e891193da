import { describe, expect, it } from "bun:test";
import { gunzipSync } from "node:zlib";
import { BucketMemo, downsampledAnswer, downsampledBody } from "../../../src/server/bodies.ts";
import { HeadedBody } from "../../../src/server/headed-body.ts";

/** Columns with spare room, grown in place as a live series is. */
function growing(capacity: number) {
  const steps = new Float64Array(capacity);
  const ys = new Float64Array(capacity);
  const ts = new Float64Array(capacity);
  let length = 0;
  return {
    add(n: number) {
      for (let i = 0; i < n; i++, length++) {
        steps[length] = length * 2;
        ys[length] = length % 7 === 0 ? Number.NaN : Math.sin(length);
        ts[length] = 1_767_225_600 + Math.floor(length / 10);
      }
      return { steps, ys, ts, length };
    },
  };
}

describe("bucket memo", () => {
  it("answers a repeated and a growing series exactly as without it", () => {
    const memo = new BucketMemo();
    const series = growing(20_000);
    let columns = series.add(3000);
    for (const added of [0, 0, 1, 5, 100, 0, 1023, 4000, 7, 9000]) {
      columns = series.add(added);
      for (const request of [
        { path: "m", pointCount: 100, first: undefined, last: undefined },
        { path: "m", pointCount: 100, first: 17, last: undefined },
        { path: "m", pointCount: 37, first: 5, last: columns.length - 9 },
      ]) {
        const plain = downsampledBody(columns, request);
        expect(downsampledBody(columns, request, memo)).toBe(plain);
        expect(downsampledBody(columns, request, memo)).toBe(plain);
      }
    }
  });

  it("answers reused buckets with a kept head whose bytes and gzip are the whole answer's", () => {
    const memo = new BucketMemo();
    const series = growing(20_000);
    let columns = series.add(5000);
    let headed = 0;
    for (const added of [0, 3, 1024, 0, 2]) {
      columns = series.add(added);
      for (const path of ["m", '训练/损失 \u0000"quoted"']) {
        const request = { path, pointCount: 50, first: undefined, last: undefined };
        const plain = downsampledBody(columns, request);
        const answer = downsampledAnswer(columns, request, memo);
        if (!(answer instanceof HeadedBody)) {
          expect(answer).toBe(plain);
          continue;
        }
        headed++;
        expect(answer.text()).toBe(plain);
        expect(answer.length).toBe(plain.length);
        expect(Buffer.from(answer.bytes()).toString("utf8")).toBe(plain);
        expect(gunzipSync(answer.gzip()).toString("utf8")).toBe(plain);
      }
    }
    expect(headed).toBeGreaterThan(4);
  });
});
