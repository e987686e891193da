import { describe, expect, it } from "bun:test";
import { DURATION_INCREMENTS } from "../../../src/ui/chart-math.ts";

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
