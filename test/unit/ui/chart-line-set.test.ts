import { describe, expect, it } from "bun:test";
import { chartLines, MAX_FULL_LINES } from "../../../src/ui/chart-line-set.ts";
import { emptyTrace, type Trace } from "../../../src/ui/chart-traces.ts";
import { chartRun } from "../../helpers/chart-run.ts";

/** A downsampled trace of three buckets, with its min/max band. */
function downsampled(id: string): Trace {
  const trace = emptyTrace(chartRun(id, ["loss"]), "loss", "#123456");
  Object.assign(trace, {
    steps: [0, 4, 8],
    values: [1, 2, 3],
    mins: [0, 1, 2],
    maxs: [2, 3, 4],
    times: [0, 1, 2],
    starts: [0, 4, 8],
    ends: [3, 7, 11],
    total: 12,
    downsampled: true,
  });
  return trace;
}

const lines = (count: number, groups?: Parameters<typeof chartLines>[4]) => {
  const traces = Array.from({ length: count }, (_, i) => downsampled(`r${i}`));
  return chartLines(
    traces,
    traces.map(() => ({})),
    "step",
    () => "#abcdef",
    groups,
  );
};

describe("chartLines bands", () => {
  it("fills each downsampled run's min/max band while the runs are few", () => {
    const drawn = lines(MAX_FULL_LINES);
    expect(drawn).toHaveLength(MAX_FULL_LINES);
    for (const line of drawn) expect(line.band).toEqual({ mins: [0, 1, 2], maxs: [2, 3, 4] });
  });

  it("drops the runs' bands past the limit, keeping every line and its points", () => {
    const drawn = lines(MAX_FULL_LINES + 1);
    expect(drawn).toHaveLength(MAX_FULL_LINES + 1);
    for (const line of drawn) {
      expect(line.band).toBeUndefined();
      expect(line.ys).toEqual([1, 2, 3]);
    }
  });

  it("counts every run line, downsampled or not", () => {
    const traces = Array.from({ length: MAX_FULL_LINES + 1 }, (_, i) => downsampled(`r${i}`));
    // One downsampled run among runs short enough to come point for point.
    for (const trace of traces.slice(1)) trace.downsampled = false;
    const drawn = chartLines(
      traces,
      traces.map(() => ({})),
      "step",
      () => "#abcdef",
      undefined,
    );
    expect(drawn.filter((line) => line.band)).toHaveLength(0);
    expect(
      chartLines(traces.slice(0, MAX_FULL_LINES), [], "step", () => "#abcdef", undefined)[0]?.band,
    ).toBeDefined();
  });

  it("tells a group's mean from a run of a project named group", () => {
    const traces = Array.from({ length: MAX_FULL_LINES + 1 }, (_, i) => {
      const trace = downsampled(`r${i}`);
      trace.run = { ...trace.run, project: "group" };
      return trace;
    });
    const drawn = chartLines(traces, [], "step", () => "#abcdef", undefined);
    expect(drawn[0]?.key).toBe("group:r0");
    expect(drawn.filter((line) => line.band)).toHaveLength(0);
  });

  it("keeps a folded group's band whatever the number of lines", () => {
    const keys = Array.from({ length: 12 }, (_, i) => `p:r${i}`);
    const drawn = lines(24, [
      { label: "a", keys: keys.slice(0, 6), color: "#111111" },
      { label: "b", keys: keys.slice(6), color: "#222222", open: true },
    ]);
    // The unfolded group's six runs and the folded group's mean: few enough for bands.
    expect(drawn).toHaveLength(7);
    expect(drawn.filter((line) => line.band)).toHaveLength(7);
    const many = lines(24, [
      { label: "a", keys: keys.slice(0, 1), color: "#111111" },
      { label: "b", keys: keys.slice(1), color: "#222222", open: true },
    ]);
    // Eleven unfolded runs and a folded group's mean: the runs lose their bands, the mean keeps its.
    expect(many).toHaveLength(12);
    expect(many.find((line) => line.key === "group:a")?.band).toBeDefined();
    expect(many.filter((line) => line.band)).toHaveLength(1);
  });
});
