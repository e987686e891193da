import { describe, expect, it } from "bun:test";
import { groupLine, type Line } from "../../../src/ui/chart-lines.ts";
import {
  alignLines,
  atLeastSpan,
  emaBefore,
  logRange,
  minZoomSpan,
  smooth,
  stepIncrements,
  stepUnit,
  tickLabels,
} from "../../../src/ui/chart-math.ts";
import { chartSpecs, matchesFilter, sectionsOf } from "../../../src/ui/chart-specs.ts";
import { chartRun } from "../../helpers/chart-run.ts";

describe("smooth", () => {
  it("goes on from the average before a zoomed range, so zooming leaves the line as it was", () => {
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const ys = xs.map((x) => Math.sin(x / 7) + x / 50);
    ys[30] = Number.NaN;
    const counts = xs.map(() => 1);
    const whole = smooth(ys, 0.95, counts);
    const from = 120;
    const zoomed = smooth(
      ys.slice(from),
      0.95,
      counts.slice(from),
      emaBefore(xs, ys, counts, 0.95, from),
    );
    for (let i = 0; i < zoomed.length; i++)
      expect(zoomed[i]).toBeCloseTo(whole[from + i] as number, 12);
    // Started afresh, the zoomed line would differ at its edge.
    expect(
      Math.abs((smooth(ys.slice(from), 0.95)[0] as number) - (whole[from] as number)),
    ).toBeGreaterThan(0.1);
  });

  it("leaves values alone at weight 0 and starts at the first value (debiased)", () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const out = smooth([5, 5, 5, 5], 0.9);
    for (const value of out) expect(value).toBeCloseTo(5, 12);
  });

  it("matches TensorBoard's debiased EMA and passes non-finite values through", () => {
    const w = 0.6;
    const values = [1, 3, Number.NaN, 2, Number.POSITIVE_INFINITY, 4];
    let last = 0;
    let n = 0;
    const expected = values.map((v) => {
      if (!Number.isFinite(v)) return v;
      last = last * w + (1 - w) * v;
      n++;
      return last / (1 - w ** n);
    });
    const out = smooth(values, w);
    out.forEach((value, i) => {
      const want = expected[i] as number;
      if (Number.isFinite(want)) expect(value).toBeCloseTo(want, 12);
      else expect(value).toBe(want);
    });
  });

  it("decays a bucket of k points as k single points would", () => {
    const raw = smooth([1, 1, 1, 1, 9, 9, 9, 9], 0.8);
    const buckets = smooth([1, 9], 0.8, [4, 4]);
    expect(buckets[1]).toBeCloseTo(raw[7] as number, 1);
  });
});

describe("tickLabels", () => {
  it("keeps labels distinct deep in a zoom", () => {
    const labels = tickLabels([500000, 500020, 500040, 500060], 20);
    expect(new Set(labels).size).toBe(4);
    expect(labels[1]).toBe("500020");
    const fine = tickLabels([500000.25, 500000.5, 500000.75], 0.25);
    expect(new Set(fine).size).toBe(3);
    const big = tickLabels([1_000_000, 1_000_020, 1_000_040], 20);
    expect(new Set(big).size).toBe(3);
    const tiny = tickLabels([1e-7, 1.5e-7, 2e-7], 5e-8);
    expect(new Set(tiny).size).toBe(3);
  });
});

describe("alignLines", () => {
  it("leaves steps a line lacks undefined (stepped over) and its own gaps null (broken)", () => {
    const [xs, a, b] = alignLines([
      { xs: [0, 2, 4], ys: [1, null, 3] },
      { xs: [0, 1, 2, 3], ys: [5, 6, 7, 8] },
    ]);
    expect(xs).toEqual([0, 1, 2, 3, 4]);
    expect(a).toEqual([1, undefined, null, undefined, 3]);
    expect(b).toEqual([5, 6, 7, 8, undefined]);
  });
});

describe("chartSpecs", () => {
  it("gathers every process's hardware metrics into one System chart per quantity and GPU", () => {
    const specs = chartSpecs([
      chartRun("a", [
        "train/loss",
        "monitoring/0000aaaa/cpu",
        "monitoring/0000aaab/cpu",
        "monitoring/0000aaaa/gpu_1",
      ]),
      chartRun("b", [
        "train/loss",
        "val/acc",
        "monitoring/0000bbbb/cpu",
        "monitoring/0000bbbb/memory",
      ]),
    ]);
    expect(specs.map((spec) => spec.key)).toEqual([
      "train/loss",
      "val/acc",
      "System/cpu",
      "System/gpu_1",
      "System/memory",
    ]);
    const cpu = specs.find((spec) => spec.key === "System/cpu");
    expect(cpu?.unit).toBe("%");
    expect(cpu?.sources.map((source) => `${source.run.run_id}:${source.process}`)).toEqual([
      "a:0000aaaa",
      "a:0000aaab",
      "b:0000bbbb",
    ]);
    expect(specs.find((spec) => spec.key === "System/memory")?.unit).toBe("GB");
    expect(sectionsOf(specs)).toEqual(["train", "val", "System"]);
    expect(matchesFilter(specs[0] as never, "LOSS tr")).toBe(true);
    expect(matchesFilter(specs[1] as never, "loss")).toBe(false);
  });
});

describe("groupLine", () => {
  it("draws the mean of its runs, each only over its own range, with the min-max band", () => {
    const member = (xs: number[], ys: number[]): Line => ({
      key: "k",
      label: "l",
      title: "t",
      color: "#000000",
      xs,
      ys,
      counts: xs.map(() => 1),
    });
    const line = groupLine({ label: "lr=0.1", keys: ["p:a", "p:b"], color: "#123456" }, [
      member([0, 2, 4], [0, 2, 4]),
      member([0, 1, 2], [10, 10, 10]),
    ]);
    expect(line.xs).toEqual([0, 1, 2, 4]);
    expect(line.ys).toEqual([5, 5.5, 6, 4]);
    expect(line.band?.mins).toEqual([0, 1, 2, 4]);
    expect(line.band?.maxs).toEqual([10, 10, 10, 4]);
  });
});

describe("stepUnit", () => {
  it("is a whole step for runs logged at whole steps, raw or in buckets", () => {
    expect(stepUnit([{ xs: [0, 1, 2, 100], counts: [1, 1, 1, 1] }])).toBe(1);
    // Buckets of 32 whole steps, means at .5, and a last bucket of 8.
    expect(stepUnit([{ xs: [15.5, 47.5, 79.5, 99.5], counts: [32, 32, 32, 8] }])).toBe(1);
    // A group's mean at its runs' steps and bucket means: whole steps and halves.
    expect(stepUnit([{ xs: [899, 899.5, 900, 931.5], counts: [1, 1, 1, 1], group: true }])).toBe(1);
    expect(stepUnit([])).toBe(1);
  });

  it("is the finest fraction of runs logged at fractional steps", () => {
    expect(stepUnit([{ xs: [0, 0.25, 0.5], counts: [1, 1, 1] }])).toBe(0.01);
    expect(stepUnit([{ xs: [0.1, 0.2, 0.3], counts: [1, 1, 1] }])).toBe(0.1);
    // Buckets of 10 steps 0.001 apart.
    expect(stepUnit([{ xs: [0.0045, 0.0145, 0.0245], counts: [10, 10, 10] }])).toBe(0.001);
    // One fractional line among whole ones decides.
    expect(
      stepUnit([
        { xs: [0, 1, 2], counts: [1, 1, 1] },
        { xs: [0.5, 1.5], counts: [1, 1] },
      ]),
    ).toBe(0.1);
  });
});

describe("zoom limits", () => {
  it("keeps a step axis at least 4 steps (of its unit) wide and a time axis 5 ms", () => {
    expect(minZoomSpan("step")).toBe(4);
    expect(minZoomSpan("step", 0.01)).toBeCloseTo(0.04, 12);
    expect(minZoomSpan("relative")).toBe(0.005);
    expect(minZoomSpan("wall", 0.01)).toBe(0.005);
  });

  it("widens a narrower range about its middle and leaves a wider one", () => {
    expect(atLeastSpan({ from: 499336.2, to: 499336.6 }, 4)).toEqual({
      from: 499334.4,
      to: 499338.4,
    });
    const wide = { from: 0, to: 10 };
    expect(atLeastSpan(wide, 4)).toBe(wide);
  });
});

describe("stepIncrements", () => {
  it("ticks whole-step runs only at whole steps, 1-2-5 apart", () => {
    const incrs = stepIncrements(1);
    expect(incrs.slice(0, 7)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(incrs.every((incr) => Number.isInteger(incr))).toBe(true);
    expect(incrs[incrs.length - 1]).toBe(5e15);
  });

  it("starts at the unit of runs logged at fractional steps", () => {
    expect(stepIncrements(0.001).slice(0, 4)).toEqual([0.001, 0.002, 0.005, 0.01]);
  });
});

describe("logRange", () => {
  it("spans what the lines hold with a little room, not whole decades", () => {
    const [low, high] = logRange(0.37, 1);
    expect(low).toBeGreaterThan(0.34);
    expect(low).toBeLessThan(0.37);
    expect(high).toBeGreaterThan(1);
    expect(high).toBeLessThan(1.06);
  });

  it("widens a flat line to a tenth of a decade and survives no positive values", () => {
    const [low, high] = logRange(2, 2);
    expect(Math.log10(high) - Math.log10(low)).toBeCloseTo(0.108, 3);
    expect(low * high).toBeCloseTo(4, 6);
    const [none, ten] = logRange(null, null);
    expect(none).toBeGreaterThan(0);
    expect(ten).toBeGreaterThan(none);
    expect(logRange(-1, 5)[0]).toBeGreaterThan(0);
    const [tiny, huge] = logRange(1e-300, 1e300);
    expect(tiny).toBeGreaterThan(0);
    expect(Number.isFinite(huge)).toBe(true);
  });
});
