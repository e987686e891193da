import { describe, expect, it } from "bun:test";
import { judgeUploads } from "../../../src/team-server/writer-liveness.ts";

describe("judgeUploads: a running run's writer on the team server", () => {
  const now = 1_000_000_000;
  it("lives while its heartbeat is younger than the staleness, and is dead from then on", () => {
    expect(judgeUploads(now - 59_999, now - 500_000, now, 60_000)).toMatchObject({
      state: "live",
      lastSignMs: now - 59_999,
    });
    const dead = judgeUploads(now - 60_000, now - 1_000, now, 60_000);
    // Once a heartbeat came, a later upload or edit does not count: only heartbeats do.
    expect(dead).toMatchObject({ state: "dead", lastSignMs: now - 60_000 });
    expect(dead.reason).toContain("last heartbeat reached the server 60 s ago");
  });

  it("judges a writer that never sent a heartbeat by its last upload", () => {
    expect(judgeUploads(undefined, now - 10_000, now, 60_000).state).toBe("live");
    const dead = judgeUploads(undefined, now - 120_000, now, 60_000);
    expect(dead).toMatchObject({ state: "dead", lastSignMs: now - 120_000 });
    expect(dead.reason).toContain("sent no heartbeat");
  });
});
