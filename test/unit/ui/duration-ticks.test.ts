import { describe, expect, it } from "bun:test";
import { DURATION_INCREMENTS, durationLabel } from "../../../src/ui/chart-math.ts";

/** uPlot's rule: the smallest increment whose ticks are at least `space` pixels apart. */
function chosen(increments: readonly number[], span: number, pixels: number, space: number) {
  const step = increments.find((increment) => (increment / span) * pixels >= space) as number;
  return { step, ticks: Math.floor(span / step) };
}

describe("a relative-time axis", () => {
  it("ticks a phone's 15-minute axis every 5 minutes, where 1-2-5 steps gave one tick at 8:20", () => {
    // 280 px of plot on a 390 px phone, 80 px between ticks.
    expect(chosen(DURATION_INCREMENTS, 900, 280, 80)).toEqual({ step: 300, ticks: 3 });
    expect(chosen([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], 900, 280, 80).ticks).toBe(1);
    // An hour's run on a wide chart: every 5 minutes; a day's: every 2 hours.
    expect(chosen(DURATION_INCREMENTS, 3600, 1300, 80).step).toBe(300);
    expect(chosen(DURATION_INCREMENTS, 86400, 1300, 80).step).toBe(7200);
    expect(DURATION_INCREMENTS).toEqual(DURATION_INCREMENTS.toSorted((a, b) => a - b));
  });
});

describe("durationLabel", () => {
  it("writes whole seconds, minutes and hours as before", () => {
    expect(durationLabel(0, 1)).toBe("0s");
    expect(durationLabel(45, 15)).toBe("45s");
    expect(durationLabel(90, 30)).toBe("1:30");
    expect(durationLabel(3600, 1800)).toBe("1:00:00");
    expect(durationLabel(-90, 30)).toBe("-1:30");
    expect(durationLabel(Number.NaN)).toBe("");
  });

  it("keeps labels under a second apart distinct, deep in an hour", () => {
    // A 1 M-point run zoomed 16 times on relative time: ticks 0.01 s apart at 1:23:19.
    const ticks = [4999.43, 4999.44, 4999.45, 4999.46].map((x) => durationLabel(x, 0.01));
    expect(ticks).toEqual(["1:23:19.43", "1:23:19.44", "1:23:19.45", "1:23:19.46"]);
    expect(durationLabel(65.25, 0.25)).toBe("1:05.25");
    expect(durationLabel(12.5, 0.5)).toBe("12.5s");
    expect(durationLabel(3600.002, 0.001)).toBe("1:00:00.002");
  });

  it("rounds once, at the label's precision, so no label reads 0:59.1000", () => {
    expect(durationLabel(59.9996, 0.001)).toBe("1:00.000");
    expect(durationLabel(3599.96, 0.1)).toBe("1:00:00.0");
    expect(durationLabel(-0.0001, 0.01)).toBe("0.00s");
  });
});
