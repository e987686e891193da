import { describe, expect, it } from "bun:test";
import { appendTrace, emptyTrace, type Trace } from "../../../src/ui/chart-traces.ts";
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
