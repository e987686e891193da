/**
 * `GET /api/liveness` on `goodseed server` (embedded SQLite): a `running` run whose
 * heartbeat is older than the (injected) staleness reads as dead with its last
 * heartbeat as its last sign of life, a fresh one as live, a finished one as unknown;
 * `/api/runs` still answers `running`.
 */

import { describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/team-server/database.ts";
import { call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";

useTeamServers();

interface Entry {
  run_id: string;
  state?: string;
  status?: string;
  reason?: string;
  last_seen?: string | null;
  error?: string;
}

describe("/api/liveness on the team server (sqlite)", () => {
  it("answers dead for a stale heartbeat, live for a fresh one, by the injected staleness", async () => {
    // 45 s old is live by the default 60 s: dead here only because of the injected 30 s.
    await using team = await teamServer("sqlite", { homeWorkspace: "acme", writerStaleMs: 30_000 });
    const key = await keyFor(team.databaseUrl, ["acme"]);
    const ids: Record<string, string> = {};
    for (const runId of ["old", "fresh", "silent", "done"]) {
      const registered = await call(team.base, key, "POST", "/api/v1/runs", {
        workspace: "acme",
        project: "vision",
        run_id: runId,
      });
      expect(registered.status).toBe(200);
      ids[runId] = (registered.json as { id: string }).id;
    }
    for (const runId of ["old", "fresh"])
      expect(
        (await call(team.base, key, "POST", `/api/v1/runs/${ids[runId]}/heartbeat`)).status,
      ).toBe(200);
    await call(team.base, key, "POST", `/api/v1/runs/${ids.done}/status`, { status: "finished" });
    const oldBeat = Date.now() - 45_000;
    const db = await openDatabase(team.databaseUrl);
    try {
      await db.sql`UPDATE runs SET heartbeat_ms = ${oldBeat} WHERE id = ${Number(ids.old)}`;
      // A run that never sent a heartbeat, whose last upload is old.
      await db.sql`UPDATE runs SET updated_ms = ${oldBeat} WHERE id = ${Number(ids.silent)}`;
    } finally {
      await db.close();
    }
    const answer = await call(
      team.base,
      key,
      "GET",
      "/api/liveness?run=vision/old&run=vision/fresh&run=vision/silent&run=vision/done&run=vision/missing",
    );
    expect(answer.status).toBe(200);
    const [old, fresh, silent, done, missing] = (answer.json as { runs: Entry[] }).runs;
    expect(old).toMatchObject({ run_id: "old", state: "dead", status: "running" });
    expect(Date.parse(String(old?.last_seen))).toBe(oldBeat);
    expect(old?.reason).toMatch(/last heartbeat reached the server \d+ s ago/);
    expect(fresh).toMatchObject({ run_id: "fresh", state: "live", status: "running" });
    expect(silent).toMatchObject({ state: "dead" });
    expect(silent?.reason).toContain("sent no heartbeat");
    expect(done).toMatchObject({ state: "unknown", status: "finished", last_seen: null });
    expect(missing?.error).toContain("Run not found");
    const runs = (await call(team.base, key, "GET", "/api/runs?project=vision")).json as {
      runs: { run_id: string; status: string }[];
    };
    const statuses = Object.fromEntries(runs.runs.map((run) => [run.run_id, run.status]));
    expect(statuses).toEqual({
      old: "running",
      fresh: "running",
      silent: "running",
      done: "finished",
    });
  });
});
