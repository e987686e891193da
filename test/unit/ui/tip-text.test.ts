import { describe, expect, it } from "bun:test";
import {
  bucketSpacing,
  fadedNote,
  placeNote,
  pointPlace,
  roundX,
  secondDecimals,
  stepNumber,
  tipColumns,
  tipHeight,
  tipLayout,
  tipPlace,
  tipWindow,
  xHeading,
  xShort,
} from "../../../src/ui/tip-text.ts";

describe("the hover list's x", () => {
  it("writes every digit of a whole step and keeps a fractional one short", () => {
    expect(stepNumber(1234567)).toBe("1234567");
    expect(stepNumber(2 ** 53)).toBe("9007199254740992");
    expect(stepNumber(0.30000000000000004)).toBe("0.3");
    expect(stepNumber(12.25)).toBe("12.25");
  });

  it("rounds a bucket of whole steps to a whole step, of fine steps to their spacing", () => {
    // Buckets of 32 steps each: the bucket at 12559.5 stands for steps 12544..12575.
    const line = { xs: [12527.5, 12559.5, 12591.5], counts: [32, 32, 32] };
    const spacing = bucketSpacing(line, 1);
    expect(spacing).toBe(1);
    expect(roundX(12559.5, spacing)).toBe(12560);
    expect(xHeading(roundX(12559.5, spacing), "step")).toBe("step 12560");
    // Steps 0.001 apart, 10 a bucket.
    expect(roundX(0.10453, bucketSpacing({ xs: [0.09, 0.1, 0.11], counts: [10, 10, 10] }, 1))).toBe(
      0.105,
    );
    // The cursor between runs: rounded to what a pixel spans (40 steps: tens).
    expect(roundX(12345.6, 40)).toBe(12350);
    // A logged point is exact.
    expect(bucketSpacing({ xs: [1, 2.5, 3], counts: [1, 1, 1] }, 1)).toBeUndefined();
    expect(roundX(2.5, undefined)).toBe(2.5);
  });

  it("says where a line's point is: at the cursor, nearest, ended before, starting after", () => {
    const line = { xs: [0, 100, 200] };
    expect(pointPlace(100, 100, line)).toBe("at");
    expect(pointPlace(100, 130, line)).toBe("near");
    expect(pointPlace(200, 900, line)).toBe("ended");
    expect(pointPlace(0, -5, line)).toBe("before");
    expect(placeNote("ended", 1999, "step", 12560, false)).toBe("ended at 1999");
    expect(placeNote("ended", 1999, "step", 12560, true)).toBe("last at 1999");
    expect(placeNote("near", 1200, "step", 1234, false)).toBe("@ 1200");
    expect(placeNote("before", 40, "relative", 10, false)).toBe("starts at 40s");
    expect(placeNote("at", 5, "step", 5, false)).toBe("");
  });

  it("rounds a group's mean at a bucket's 899.5 to a whole step, unless its steps are finer", () => {
    // Group means at whole steps and at halves (runs downsampled in buckets of their own).
    const group = { xs: [898, 899.5, 901, 931.5], counts: [1, 1, 1, 1], group: true };
    expect(bucketSpacing(group, 1)).toBe(1);
    expect(roundX(899.5, bucketSpacing(group, 1))).toBe(900);
    expect(roundX(898, bucketSpacing(group, 0))).toBe(898);
    // A group of runs logged 0.1 steps apart keeps its tenths.
    const fine = { xs: [0.1, 0.2, 0.3], counts: [1, 1, 1], group: true };
    expect(roundX(0.2, bucketSpacing(fine, 1))).toBe(0.2);
    expect(roundX(7, bucketSpacing({ xs: [7], counts: [1], group: true }, 0))).toBe(7);
  });

  it("writes times to the fraction of a second a pixel spans, at most milliseconds", () => {
    expect(secondDecimals(undefined)).toBe(0);
    expect(secondDecimals(2)).toBe(0);
    expect(secondDecimals(0.3)).toBe(1);
    expect(secondDecimals(0.02)).toBe(2);
    expect(secondDecimals(0.00026)).toBe(3);
    expect(xHeading(4999.4372, "relative")).toBe("1:23:19");
    expect(xHeading(4999.4372, "relative", 0.00026)).toBe("1:23:19.437");
    expect(xShort(4999.4372, "relative", 4999, 0.02)).toBe("1:23:19.44");
    // Wall time: the local clock, with milliseconds deep in a zoom.
    const wall = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000 + 0.25;
    expect(xHeading(wall, "wall")).toBe(new Date(wall * 1000).toLocaleString());
    expect(xHeading(wall, "wall", 0.001)).toMatch(/[.,]250\b/);
    expect(xShort(wall, "wall", wall, 0.01)).toMatch(/[.,]25\b/);
    expect(xShort(wall, "wall", wall, 0.01)).not.toContain("2026");
  });
});

describe("tipLayout", () => {
  it("lists a few lines in one column of full rows", () => {
    expect(tipLayout(3, 240, 3)).toEqual({ columns: 1, rows: 3, compact: false });
  });

  it("takes smaller rows, then columns, before leaving any line out", () => {
    // 16 lines in a chart's 240 px: one column of compact rows.
    expect(tipLayout(16, 240, 3)).toEqual({ columns: 1, rows: 16, compact: true });
    // 30 lines: two columns of 15 compact rows.
    expect(tipLayout(30, 240, 3)).toEqual({ columns: 2, rows: 15, compact: true });
    // 100 lines in four columns of 25 compact rows, on a wide chart with room below.
    expect(tipLayout(100, tipHeight(25, true), 4)).toEqual({
      columns: 4,
      rows: 25,
      compact: true,
    });
    // Too many for the room: none.
    expect(tipLayout(100, 240, 2)).toBeUndefined();
    expect(tipLayout(0, 0, 1)).toBeUndefined();
  });

  it("allows as many columns as the chart's width holds", () => {
    expect(tipColumns(366)).toBe(2);
    expect(tipColumns(670)).toBe(3);
    expect(tipColumns(100)).toBe(1);
  });
});

describe("tipPlace", () => {
  const edges = { top: 50, foot: 295, windowTop: -300, windowFoot: 600 };

  it("hangs from the plot area's top inside the chart when the lines fit there", () => {
    const spot = tipPlace(30, 3, edges);
    expect(spot).toMatchObject({ top: 50, bottom: 295, windowed: false });
    expect(spot.layout.columns).toBeLessThanOrEqual(3);
  });

  it("reaches over what is below a wide chart, then up, to list every line on screen", () => {
    const below = tipPlace(60, 3, edges);
    expect(below).toMatchObject({ top: 50, bottom: 600, windowed: false });
    expect(below.layout.rows * below.layout.columns).toBeGreaterThanOrEqual(60);
    const up = tipPlace(150, 3, edges);
    expect(up.windowed).toBe(false);
    expect(up.top).toBeLessThan(50);
    expect(up.top).toBeGreaterThanOrEqual(-300);
    expect(up.bottom).toBe(600);
  });

  it("counts the lines it cannot show only past what the window holds", () => {
    const spot = tipPlace(500, 3, edges);
    expect(spot.windowed).toBe(true);
    expect(spot.top).toBe(-300);
    expect(spot.layout.columns).toBe(3);
    expect(tipHeight(spot.layout.rows, true)).toBeLessThanOrEqual(900);
  });

  it("keeps the list on screen when the chart is scrolled half out of the window", () => {
    // The plot area's top is 100 px above the window's top.
    const spot = tipPlace(5, 2, { top: -100, foot: 200, windowTop: -40, windowFoot: 700 });
    expect(spot.top).toBe(-40);
  });
});

describe("the hover list's rows", () => {
  it("shows all rows when they fit, else a window around the cursor's line", () => {
    expect(tipWindow(10, 12, 4)).toEqual([0, 10]);
    expect(tipWindow(30, 12, 20)).toEqual([15, 25]);
  });

  it("says in the heading why rows without notes are faded", () => {
    expect(fadedNote(["at", "near"])).toBe("");
    expect(fadedNote(["at", "ended"])).toBe(" · faded: last value");
    expect(fadedNote(["before"])).toBe(" · faded: first value");
    expect(fadedNote(["ended", "before"])).toBe(" · faded: last or first value");
  });
});

describe("tipPlace on a narrow chart", () => {
  const phone = { top: 60, foot: 260, windowTop: -100, windowFoot: 744, narrow: true };

  it("hangs a list that does not fit in the chart below it, leaving the chart in sight", () => {
    const spot = tipPlace(30, 2, phone);
    expect(spot.top).toBe(260);
    expect(spot.windowed).toBe(false);
    expect(spot.layout.rows * spot.layout.columns).toBeGreaterThanOrEqual(30);
  });

  it("shows what fits below it, the others counted, when the window is short", () => {
    const spot = tipPlace(200, 2, phone);
    expect(spot.top).toBe(260);
    expect(spot.windowed).toBe(true);
    expect(spot.layout.rows).toBe(Math.floor((744 - 260 - 30) / 13));
  });

  it("keeps a list that fits inside the chart there, and goes over the chart with no room below", () => {
    expect(tipPlace(4, 2, phone).top).toBe(60);
    // Over half the chart's height: below it.
    expect(tipPlace(14, 2, phone).top).toBe(260);
    expect(tipPlace(30, 2, { ...phone, windowFoot: 300 }).top).toBeLessThan(260);
    // The same chart on a wide screen keeps the list in it.
    expect(tipPlace(14, 2, { ...phone, narrow: false }).top).toBe(60);
  });
});
