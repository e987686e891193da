import { describe, expect, it } from "bun:test";
import { axisFor, axisTicks } from "../../../src/ui/sweep-axes.ts";
import { logTickLabel, logTicksSpaced, logTickValues } from "../../../src/ui/sweep-ticks.ts";

describe("logTickValues", () => {
  it("puts a tick on every power of ten when the range spans decades", () => {
    expect(logTickValues(1e-7, 0.3)).toEqual([1e-7, 1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1]);
  });

  it("thins the decades to every k-th, on multiples of k, when there are too many", () => {
    expect(logTickValues(1e-12, 1, 5)).toEqual([1e-12, 1e-9, 1e-6, 1e-3, 1]);
    expect(logTickValues(1e-7, 0.3, 3)).toEqual([1e-6, 0.001]);
  });

  it("uses 1-2-3-5, 1-2-5 or 1…9 steps where the range spans less", () => {
    expect(logTickValues(0.01, 0.5)).toEqual([0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5]);
    expect(logTickValues(0.01, 0.5, 6)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    // A loss from 0.3 to 1.15 on a short chart: more than the decade's 1.
    expect(logTickValues(0.303, 1.154, 5)).toEqual([0.5, 0.7, 1]);
    expect(logTickValues(0.3, 1.1, 4)).toEqual([0.3, 0.5, 0.7, 1]);
    expect(logTickValues(0.3, 1.1, 3)).toEqual([0.3, 0.5, 1]);
    expect(logTickValues(0.126, 0.601)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6]);
    expect(logTickValues(1, 2)).toEqual([1, 2]);
  });

  it("falls back to the ends with no round value inside, and gives nothing without positives", () => {
    expect(logTickValues(0.31, 0.34)).toEqual([0.31, 0.34]);
    expect(logTickValues(0.5, 0.5)).toEqual([0.5]);
    expect(logTickValues(0, 1)).toEqual([]);
    expect(logTickValues(-3, -1)).toEqual([]);
  });

  it("never exceeds the count asked for", () => {
    for (const [min, max] of [
      [1e-30, 1e30],
      [1e-7, 0.3],
      [0.001, 900],
      [1.5, 9.5],
    ] as const)
      for (const count of [2, 3, 5, 8, 12])
        expect(logTickValues(min, max, count).length).toBeLessThanOrEqual(count);
  });
});

describe("logTickLabel", () => {
  it("reads as plain decimals near 1 and as powers of ten far from it", () => {
    expect([1e-7, 1e-4, 0.001, 0.01, 0.1, 1, 10, 1000, 1e4, 1e5].map(logTickLabel)).toEqual([
      "1e-7",
      "1e-4",
      "0.001",
      "0.01",
      "0.1",
      "1",
      "10",
      "1000",
      "10000",
      "1e5",
    ]);
    expect(logTickLabel(3e-7)).toBe("3e-7");
    expect(logTickLabel(0.2)).toBe("0.2");
  });
});

describe("axisTicks", () => {
  it("gives a log axis its decades, placed where the values sit", () => {
    // A metric's values: too many to tick each.
    const spread = Array.from({ length: 40 }, (_, i) => 1e-7 * (0.3 / 1e-7) ** (i / 39));
    const axis = axisFor("lr", spread);
    expect(axis.kind).toBe("log");
    const ticks = axisTicks(axis, 8);
    expect(ticks.map((tick) => tick.label)).toEqual([
      "1e-7",
      "1e-6",
      "1e-5",
      "1e-4",
      "0.001",
      "0.01",
      "0.1",
    ]);
    expect(ticks[0]?.position).toBeCloseTo(0);
    const span = Math.log10(0.3) + 7;
    expect(ticks[6]?.position).toBeCloseTo(6 / span);
  });

  it("keeps every category up to the count, every k-th beyond it", () => {
    const few = axisFor("opt", ["adam", "sgd"]);
    expect(axisTicks(few, 10).map((tick) => tick.label)).toEqual(["adam", "sgd"]);
    const many = axisFor(
      "name",
      Array.from({ length: 30 }, (_, i) => `n${String(i).padStart(2, "0")}`),
    );
    const ticks = axisTicks(many, 10);
    expect(ticks.length).toBe(10);
    expect(ticks[1]?.label).toBe("n03");
  });

  it("ticks a sweep's few values, never a value between them that no run has", () => {
    const labels = (values: number[], count = 10) =>
      axisTicks(axisFor("k", values), count).map((tick) => tick.label);
    expect(labels([64, 128, 256, 512, 128])).toEqual(["64", "128", "256", "512"]);
    expect(labels([64, 512])).toEqual(["64", "512"]);
    expect(labels([1e-5, 3e-5, 1e-4, 3e-4, 1e-3])).toEqual([
      "1e-5",
      "3e-5",
      "1e-4",
      "3e-4",
      "0.001",
    ]);
    // Values closer than a label's height: the ends stay, the crowded ones go.
    expect(labels([0, 1, 2, 100], 10)).toEqual(["0", "100"]);
    expect(labels([0, 1, 50, 99, 100], 10)).toEqual(["0", "50", "100"]);
  });

  it("gives a linear axis of many values its ends and round values between them", () => {
    const values = Array.from({ length: 40 }, (_, i) => 0.013 + i * 0.0231);
    const ticks = axisTicks(axisFor("loss", values), 10);
    const labels = ticks.map((tick) => tick.label);
    expect(labels[0]).toBe("0.013");
    expect(labels[labels.length - 1]).toBe("0.914");
    expect(labels.slice(1, -1)).toEqual(["0.2", "0.4", "0.6", "0.8"]);
    for (let i = 1; i < ticks.length; i++)
      expect((ticks[i]?.position ?? 0) > (ticks[i - 1]?.position ?? 0)).toBe(true);
  });
});

describe("logTicksSpaced", () => {
  it("labels a chart's log axis along its whole height, round values first", () => {
    // The 1M-point loss, 0.3 to 1.1, on a short chart.
    expect(logTicksSpaced(0.3, 1.1, 0.16)).toEqual([0.3, 0.4, 0.5, 0.7, 1]);
    // A sweep's loss, 0.04 to 2.5: more than its two decades.
    expect(logTicksSpaced(0.04, 2.5, 0.16)).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2]);
  });

  it("keeps labels a gap apart, spreads decades over a wide range, and falls back to the ends", () => {
    const ticks = logTicksSpaced(1e-10, 1e5, 0.16);
    for (let i = 1; i < ticks.length; i++)
      expect(
        Math.log10(ticks[i] as number) - Math.log10(ticks[i - 1] as number),
      ).toBeGreaterThanOrEqual(0.16 * 15 - 1e-9);
    expect(ticks[0]).toBe(1e-10);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(logTicksSpaced(0.305, 0.33, 0.16)).toEqual([0.305, 0.33]);
  });
});
