/**
 * The web UI's run editor on the team server (`POST /api/run-edits`): names,
 * descriptions, tags (one run or many) and the trash, written as the run's sys/*
 * configs so that every read shows them; refused to viewers (403), invisible to other
 * workspaces (404), refused for a run whose process is live (409), invalid edits write
 * nothing (400).
 */

import { describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/team-server/database.ts";
import { BACKENDS, call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";

useTeamServers();

interface RunRow {
  run_id: string;
  experiment_name: string | null;
  trashed: boolean;
}

for (const backend of BACKENDS) {
  describe(`run edits on the team server (${backend})`, () => {
    it("renames, describes and tags runs for members, as every read shows; viewers 403, other workspaces 404", async () => {
      await using team = await teamServer(backend, { homeWorkspace: "acme" });
      const member = await keyFor(team.databaseUrl, ["acme"], "member", "alice");
      const viewer = await keyFor(team.databaseUrl, ["acme"], "viewer", "victor");
      const stranger = await keyFor(team.databaseUrl, ["other"], "owner", "mallory");
      const ids: Record<string, string> = {};
      for (const runId of ["r1", "r2"]) {
        const registered = await call(team.base, member, "POST", "/api/v1/runs", {
          workspace: "acme",
          project: "vision",
          run_id: runId,
          experiment_name: `first ${runId}`,
        });
        ids[runId] = (registered.json as { id: string }).id;
      }
      expect(
        (
          await call(team.base, member, "POST", `/api/v1/runs/${ids.r1}/configs`, {
            configs: [
              { path: "lr", type_tag: "float", value: "0.1" },
              { path: "sys/tags", type_tag: "string_set", value: '["keep", "old"]' },
            ],
          })
        ).status,
      ).toBe(204);
      const edit = async (key: string, change: Record<string, unknown>, runs = ["r1"]) => {
        const answer = await fetch(`${team.base}/api/run-edits`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            origin: team.base,
          },
          body: JSON.stringify({
            runs: runs.map((run_id) => ({ project: "vision", run_id })),
            ...change,
          }),
        });
        const body = (await answer.json()) as {
          results: { ok: boolean; error?: string }[];
          error?: string;
        };
        return { status: answer.status, results: body.results, error: body.error };
      };
      const runs = async () =>
        Object.fromEntries(
          ((await call(team.base, member, "GET", "/api/runs")).json as { runs: RunRow[] }).runs.map(
            (run) => [run.run_id, run],
          ),
        );
      const configs = async (runId: string) =>
        (
          (await call(team.base, member, "GET", `/api/runs/vision/${runId}/configs`)).json as {
            configs: Record<string, unknown>;
          }
        ).configs;
      const before = [await runs(), await configs("r1"), await configs("r2")];

      // Viewers may read but not edit; another workspace's key does not see the run.
      for (const change of [{ name: "x" }, { add_tags: ["x"] }, { trashed: true }]) {
        const refused = await edit(viewer, change);
        expect(refused.status).toBe(403);
        expect(refused.results[0]?.error).toContain("does not allow editing runs");
        expect((await edit(stranger, change)).status).toBe(404);
      }
      // Invalid edits write nothing.
      expect((await edit(member, { add_tags: [" "] })).status).toBe(400);
      expect((await edit(member, { name: "a\u0007b" })).status).toBe(400);
      expect((await edit(member, { name: "one name" }, ["r1", "r2"])).status).toBe(400);
      expect([await runs(), await configs("r1"), await configs("r2")]).toEqual(before);

      expect(await edit(member, { name: "Renamed", description: "what it tried" })).toMatchObject({
        status: 200,
        results: [{ ok: true }],
      });
      expect(
        await edit(member, { add_tags: ["bulk", "ü"], remove_tags: ["old"] }, ["r1", "r2"]),
      ).toMatchObject({ status: 200, results: [{ ok: true }, { ok: true }] });
      const after = await runs();
      expect(after.r1?.experiment_name).toBe("Renamed");
      expect(after.r2?.experiment_name).toBe("first r2");
      expect(await configs("r1")).toEqual({
        lr: 0.1,
        "sys/name": "Renamed",
        "sys/description": "what it tried",
        "sys/tags": ["bulk", "keep", "ü"],
      });
      expect(await configs("r2")).toEqual({ "sys/tags": ["bulk", "ü"] });
      // The remote read API (the clients' get_configs) shows the same values.
      const remote = (await call(team.base, viewer, "GET", `/api/v1/runs/${ids.r1}`)).json as {
        configs: { path: string; type_tag: string; value: string }[];
      };
      expect(remote.configs.find((config) => config.path === "sys/tags")).toMatchObject({
        type_tag: "string_set",
        // Python's json.dumps, as the clients write a string set.
        value: '["bulk", "keep", "\\u00fc"]',
      });
      expect(remote.configs.find((config) => config.path === "sys/name")?.value).toBe("Renamed");

      // The training process registering the run again keeps the name given here.
      await call(team.base, member, "POST", "/api/v1/runs", {
        workspace: "acme",
        project: "vision",
        run_id: "r1",
        experiment_name: "first r1",
      });
      expect((await runs()).r1?.experiment_name).toBe("Renamed");

      // Trash and restore as before; a trash mark is no change to the run's data.
      expect(await edit(member, { trashed: true })).toMatchObject({ status: 200 });
      expect((await runs()).r1?.trashed).toBe(true);
      expect(await edit(member, { trashed: false })).toMatchObject({ status: 200 });
      expect((await runs()).r1?.trashed).toBe(false);

      // Each edit is logged with the key that made it.
      const db = await openDatabase(team.databaseUrl);
      try {
        const log =
          await db.sql`SELECT e.edit, k.name FROM run_edits e JOIN api_keys k ON k.id = e.key_id
          JOIN runs r ON r.id = e.run_id WHERE r.run_id = 'r1' ORDER BY e.id`;
        expect(
          (log as { edit: string; name: string }[]).map((row) => [row.name, JSON.parse(row.edit)]),
        ).toEqual([
          ["alice", { name: "Renamed", description: "what it tried" }],
          ["alice", { addTags: ["bulk", "ü"], removeTags: ["old"] }],
          ["alice", { trashed: true }],
          ["alice", { trashed: false }],
        ]);
      } finally {
        await db.close();
      }
    }, 90_000);

    it("keeps a live run's name and tags (its process would write its own over them), and still trashes it", async () => {
      await using team = await teamServer(backend, { homeWorkspace: "acme" });
      const member = await keyFor(team.databaseUrl, ["acme"], "member", "alice");
      const registered = await call(team.base, member, "POST", "/api/v1/runs", {
        workspace: "acme",
        project: "vision",
        run_id: "live",
        experiment_name: "training",
      });
      const id = (registered.json as { id: string }).id;
      const edit = (change: Record<string, unknown>) =>
        fetch(`${team.base}/api/run-edits`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${member}`,
            "content-type": "application/json",
            origin: team.base,
          },
          body: JSON.stringify({ runs: [{ project: "vision", run_id: "live" }], ...change }),
        });
      // Registered but never beating (a run left by a crashed process): editable.
      expect((await edit({ add_tags: ["a"] })).status).toBe(200);
      expect((await call(team.base, member, "POST", `/api/v1/runs/${id}/heartbeat`)).status).toBe(
        200,
      );
      const refused = await edit({ name: "renamed" });
      expect(refused.status).toBe(409);
      expect(JSON.stringify(await refused.json())).toContain("still being written");
      expect((await edit({ trashed: true })).status).toBe(200);
      await call(team.base, member, "POST", `/api/v1/runs/${id}/status`, { status: "finished" });
      expect((await edit({ name: "renamed" })).status).toBe(200);
      const run = ((await call(team.base, member, "GET", "/api/runs")).json as { runs: RunRow[] })
        .runs[0];
      expect(run).toMatchObject({ experiment_name: "renamed", trashed: true });
    }, 60_000);
  });
}
