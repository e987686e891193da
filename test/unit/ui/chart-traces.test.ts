import { describe, expect, it } from "bun:test";
import { appendTrace, emptyTrace, type Trace, traceXs } from "../../../src/ui/chart-traces.ts";
import { chartRun } from "../../helpers/chart-run.ts";

function page(steps: number[], nonFinite?: Trace["nonFinite"]): Trace {
  const trace = emptyTrace(chartRun("r", ["loss"]), "loss", "#123456");
  Object.assign(trace, {
    steps: [...steps],
    values: steps.map(() => 1),
    mins: steps.map(() => 1),
    maxs: steps.map(() => 1),
    times: [...steps],
    starts: [...steps],
    ends: [...steps],
    total: steps.length,
    downsampled: true,
    nonFinite,
  });
  return trace;
}

describe("appendTrace", () => {
  it("keeps the NaN and ±Infinity points an appended page's buckets left out", () => {
    const first = page([0, 4], { steps: [1], values: [Number.NaN], times: [1] });
    appendTrace(
      first,
      page([8, 12], { steps: [9, 10], values: [Infinity, -Infinity], times: [9, 10] }),
    );
    expect(first.steps).toEqual([0, 4, 8, 12]);
    expect(first.nonFinite).toEqual({
      steps: [1, 9, 10],
      values: [Number.NaN, Infinity, -Infinity],
      times: [1, 9, 10],
    });
    const clean = page([0, 4]);
    appendTrace(clean, page([8], { steps: [8], values: [Number.NaN], times: [8] }));
    expect(clean.nonFinite?.steps).toEqual([8]);
  });
});

describe("traceXs in relative time", () => {
  it("puts a point logged in the run's first second at or after 0, never before it", () => {
    const trace = page([0, 1, 2]);
    // Created at 1000.16 s; points timed in whole seconds, the first in the same second.
    trace.run = { ...trace.run, created_at: new Date(1_000_160).toISOString() };
    trace.times = [1000, 1000, 1003];
    const xs = traceXs(trace, "relative");
    expect(xs).toEqual([0, 0.5, 3]);
    expect(traceXs(trace, "wall")).toEqual([1000, 1000.5, 1003]);
  });
});
