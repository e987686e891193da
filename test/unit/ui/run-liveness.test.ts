import { describe, expect, it } from "bun:test";
import type { LivenessEntry } from "../../../src/api/batch-wire.ts";
import type { RunSummary } from "../../../src/api/wire.ts";
import { checkLiveness, deadWriter, shownStatus } from "../../../src/ui/run-liveness.ts";

function run(run_id: string, status = "running"): RunSummary {
  return {
    project: "p",
    run_id,
    experiment_name: null,
    created_at: "2026-01-01T00:00:00+00:00",
    closed_at: null,
    status,
    trashed: false,
    string_series_paths: [],
    metric_paths: [],
  };
}

describe("the page's liveness of running runs", () => {
  it("shows a dead writer's run crashed, asks in one request, and says when what it shows changed", async () => {
    const asked: string[][] = [];
    const answer = (entries: LivenessEntry[]) => async (runs: string[]) => {
      asked.push(runs);
      return entries;
    };
    const runs = [run("a"), run("b")];
    const dead: LivenessEntry = {
      project: "p",
      run_id: "a",
      state: "dead",
      status: "running",
      reason: "process 1 on this host has exited",
      last_seen: "2026-01-01T00:00:05+00:00",
    };
    const live: LivenessEntry = { ...dead, run_id: "b", state: "live", reason: "alive" };
    expect(await checkLiveness(answer([dead, live]), runs)).toBe(true);
    expect(asked).toEqual([["p/a", "p/b"]]);
    expect(shownStatus(runs[0] as RunSummary)).toBe("crashed");
    expect(deadWriter(runs[0] as RunSummary)).toEqual({
      reason: "process 1 on this host has exited",
      lastSeenMs: Date.parse("2026-01-01T00:00:05Z"),
    });
    expect(shownStatus(runs[1] as RunSummary)).toBe("running");
    // A run that finished since is shown as what it is.
    expect(shownStatus(run("a", "finished"))).toBe("finished");
    expect(await checkLiveness(answer([dead, live]), runs)).toBe(false);
    // A server that cannot answer (an older one without the route) changes nothing.
    expect(
      await checkLiveness(async () => {
        throw new Error("HTTP 404");
      }, runs),
    ).toBe(false);
    expect(shownStatus(runs[0] as RunSummary)).toBe("crashed");
    expect(await checkLiveness(answer([{ ...dead, state: "live" }, live]), runs)).toBe(true);
    expect(shownStatus(runs[0] as RunSummary)).toBe("running");
  });
});
