import { describe, expect, it } from "bun:test";
import type { Line } from "../../../src/ui/chart-lines.ts";
import { plotSeries } from "../../../src/ui/chart-series.ts";

function line(fields: Partial<Line> & Pick<Line, "xs" | "ys">): Line {
  return {
    key: "p:r",
    label: "r",
    title: "r (p)",
    color: "#123456",
    counts: fields.xs.map(() => 1),
    ...fields,
  };
}

const kinds = (lines: Line[]) => plotSeries(lines, 0, false).markers.map((m) => [m.x, m.kind]);

describe("plotSeries markers", () => {
  it("marks each raw NaN and ±Infinity point once, and draws it as a gap", () => {
    const raw = line({ xs: [0, 1, 2, 3], ys: [1, Number.NaN, Infinity, -Infinity] });
    const plot = plotSeries([raw], 0, false);
    expect(plot.markers.map((m) => [m.x, m.kind])).toEqual([
      [1, "nan"],
      [2, "+inf"],
      [3, "-inf"],
    ]);
    expect(plot.data[1]).toEqual([1, null, null, null]);
  });

  it("marks the points a bucket left out, not the all-NaN bucket again", () => {
    // Buckets at 0 (4 points), 4 (4 points, all NaN), 8 (4 points, one +Inf).
    const bucketed = line({
      xs: [0, 4, 8],
      ys: [1, Number.NaN, 2],
      counts: [4, 4, 4],
      hidden: {
        xs: [4, 5, 6, 7, 9],
        ys: [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Infinity],
      },
    });
    expect(kinds([bucketed])).toEqual([
      [4, "nan"],
      [5, "nan"],
      [6, "nan"],
      [7, "nan"],
      [9, "+inf"],
    ]);
  });

  it("a bucket of one non-finite point is marked once", () => {
    const bucketed = line({
      xs: [0, 2],
      ys: [1, Number.NaN],
      counts: [2, 1],
      hidden: { xs: [2], ys: [Number.NaN] },
    });
    expect(kinds([bucketed])).toEqual([[2, "nan"]]);
  });

  it("marks an all-NaN bucket past the end of a list cut short", () => {
    const bucketed = line({
      xs: [0, 4, 8],
      ys: [Number.NaN, 1, Number.NaN],
      counts: [4, 4, 4],
      hidden: { xs: [0, 1, 2, 3], ys: [Number.NaN, Number.NaN, Number.NaN, Number.NaN] },
    });
    expect(kinds([bucketed])).toEqual([
      [0, "nan"],
      [1, "nan"],
      [2, "nan"],
      [3, "nan"],
      [8, "nan"],
    ]);
  });
});
