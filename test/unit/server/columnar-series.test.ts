import { describe, expect, it } from "bun:test";
import type { SeriesColumns } from "../../../src/api/read-store.ts";
import { type DownsampleRequest, downsampledBody } from "../../../src/server/bodies.ts";
import {
  ColumnsMemo,
  columnsOfAnswer,
  downsampledColumns,
} from "../../../src/server/columnar-series.ts";

function series(values: number[], stepOf = (i: number) => i * 2): SeriesColumns {
  return {
    steps: Float64Array.from(values, (_, i) => stepOf(i)),
    ys: Float64Array.from(values),
    ts: Float64Array.from(values, (_, i) => 1_767_225_600 + i * 0.25),
    length: values.length,
  };
}

const parse = (members: string) => JSON.parse(`{${members}}`);

const view = (pointCount: number, first?: number, last?: number): DownsampleRequest => ({
  path: "m",
  pointCount,
  first,
  last,
});

describe("columnar series", () => {
  const values = Array.from({ length: 1001 }, (_, i) =>
    i === 7 ? Number.NaN : i === 500 ? Number.POSITIVE_INFINITY : Math.sin(i),
  );
  const requests = [view(100), view(2000), view(9, 100, 400), view(5, 990), view(5, 2000)];

  it("carries the figures of FORMAT.md's answer, whether written from columns or from its text", () => {
    for (const request of requests) {
      const text = downsampledBody(series(values), request);
      const fromText = parse(columnsOfAnswer(text));
      const fromColumns = parse(downsampledColumns(series(values), request));
      expect({ request, ...fromColumns, loggedAt: undefined }).toEqual({
        request,
        ...fromText,
        loggedAt: undefined,
      });
      const points = JSON.parse(text).points as { step: number; downsampled: boolean }[];
      expect(fromColumns.step).toEqual(points.map((point) => point.step));
      const buckets = points.flatMap((point, i) => (point.downsampled ? [i] : []));
      if (buckets.length > 0)
        expect(fromColumns.bucketed).toEqual([buckets[0], (buckets.at(-1) as number) + 1]);
      else expect(fromColumns.bucketed).toEqual([0, 0]);
      // Seconds as stored; the text's ISO times carry them to the microsecond.
      fromColumns.loggedAt.forEach((seconds: number, i: number) => {
        expect(seconds).toBeCloseTo(fromText.loggedAt[i], 3);
      });
    }
    expect(parse(downsampledColumns(undefined, view(100)))).toEqual({
      firstPointIndex: 0,
      lastPointIndex: 0,
      totalCount: 0,
      downsampled: false,
      bucketed: [0, 0],
      step: [],
      value: [],
      minY: [],
      maxY: [],
      loggedAt: [],
    });
  });

  it("keeps a view's answer while the columns and the run's version stay, and only then", () => {
    const memo = new ColumnsMemo();
    const columns = series(values);
    const request = view(10);
    const first = memo.answer(columns, request, "v1");
    expect(memo.answer(columns, request, "v1")).toBe(first);
    // A store changes a point in place only with a new version of the run.
    columns.ys[3] = 1000;
    const changed = memo.answer(columns, request, "v2");
    expect(changed).not.toBe(first);
    expect(changed).toBe(downsampledColumns(columns, request));
    // Grown in place: its length is part of the view.
    const grown = { ...columns, length: 1000 };
    expect(memo.answer(grown, request, "v2")).toBe(downsampledColumns(grown, request));
    // Bounded by bytes: past the bound the oldest views go, answers stay right.
    const small = new ColumnsMemo(20_000);
    for (let pointCount = 5; pointCount < 60; pointCount++)
      expect(small.answer(columns, view(pointCount), "v2")).toBe(
        downsampledColumns(columns, view(pointCount)),
      );
    expect(small.stats.bytes).toBeLessThanOrEqual(20_000);
    expect(small.stats.entries).toBeGreaterThan(0);
    // Other views of the same columns are their own answers.
    expect(memo.answer(columns, view(20), "v2")).toBe(downsampledColumns(columns, view(20)));
  });
});
