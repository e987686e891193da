/**
 * Tenancy: every route without a key, with a revoked key, with another workspace's
 * key and with a viewer's key; nothing of a refused request is stored, and no
 * answer carries another workspace's data.
 */

import { describe, expect, it } from "bun:test";
import { openDatabase } from "../../src/team-server/database.ts";
import { revokeKey } from "../../src/team-server/keys.ts";
import { BACKENDS, call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";

useTeamServers();

const INGEST = { points: [{ path: "loss", step: 1, timestampMs: 1000, number: 0.5 }] };

function routes(id: string): [string, string, unknown?][] {
  return [
    [
      "POST",
      "/api/v1/runs",
      { workspace: "acme", project: "vision", run_id: "r2", experiment_name: null },
    ],
    [
      "POST",
      `/api/v1/runs/${id}/configs`,
      { configs: [{ path: "x", type_tag: "int", value: "1" }] },
    ],
    ["POST", `/api/v1/runs/${id}/ingest`, INGEST],
    ["POST", `/api/v1/runs/${id}/status`, { status: "failed" }],
    ["POST", `/api/v1/runs/${id}/heartbeat`, ""],
    ["GET", `/api/v1/runs/${id}`],
    ["GET", `/api/v1/runs/${id}/paths`],
    ["GET", `/api/v1/runs/${id}/data/metrics?path=loss`],
    ["GET", `/api/v1/runs/${id}/data/strings?path=log`],
    ["GET", "/api/v1/workspaces/acme/projects"],
    ["POST", "/api/v1/workspaces/acme/projects", { name: "new" }],
    ["GET", "/api/v1/workspaces/acme/projects/vision/runs"],
    ["GET", "/api/runs/acme/vision/r1/configs"],
    ["GET", "/api/runs/acme/vision/r1/metrics?path=loss"],
    ["GET", "/api/runs/acme/vision/r1/metric-paths"],
    ["GET", "/api/runs/acme/vision/r1/string_series"],
    ["POST", "/api/runs/acme/vision/r1/trash"],
  ];
}

const WRITES = (method: string, path: string) =>
  method === "POST" && !path.startsWith("/api/session");

for (const backend of BACKENDS) {
  describe(`auth and tenancy (${backend})`, () => {
    it("answers 401 without a valid key, 403/404 to other workspaces, and stores nothing for them", async () => {
      await using team = await teamServer(backend, { homeWorkspace: "acme" });
      const owner = await keyFor(team.databaseUrl, ["acme"], "member", "alice");
      const viewer = await keyFor(team.databaseUrl, ["acme"], "viewer", "victor");
      const stranger = await keyFor(team.databaseUrl, ["other"], "owner", "mallory");
      const revoked = await keyFor(team.databaseUrl, ["acme"], "owner", "gone");
      const db = await openDatabase(team.databaseUrl);
      await revokeKey(db, revoked);
      await db.close();

      const reg = await call(team.base, owner, "POST", "/api/v1/runs", {
        workspace: "acme",
        project: "vision",
        run_id: "r1",
        experiment_name: "secret",
      });
      expect(reg.status).toBe(200);
      const id = (reg.json as { id: string }).id;
      expect(
        (
          await call(team.base, owner, "POST", `/api/v1/runs/${id}/ingest`, {
            points: [
              { path: "loss", step: 0, timestampMs: 1, number: 1 },
              { path: "log", step: 0, timestampMs: 1, text: "hello" },
            ],
          })
        ).status,
      ).toBe(200);
      const snapshot = async () =>
        [
          (await call(team.base, owner, "GET", "/api/runs")).text,
          (await call(team.base, owner, "GET", "/api/runs/acme/vision/r1/metrics")).text,
          (await call(team.base, owner, "GET", "/api/runs/acme/vision/r1/configs")).text,
          (await call(team.base, owner, "GET", "/api/v1/workspaces/acme/projects")).text,
        ].join("\n");
      const before = await snapshot();

      for (const [method, path, body] of routes(id)) {
        for (const key of [
          undefined,
          revoked,
          "gsk_000000000000_notarealkeynotarealkey",
          "garbage",
        ]) {
          const answer = await call(team.base, key, method, path, body);
          expect({ method, path, status: answer.status }).toEqual({ method, path, status: 401 });
          expect(answer.headers.get("content-type")).toBe("application/json");
          expect(answer.text).not.toContain("secret");
        }
        const foreign = await call(team.base, stranger, method, path, body);
        expect({ method, path, forbidden: [403, 404].includes(foreign.status) }).toEqual({
          method,
          path,
          forbidden: true,
        });
        expect(foreign.text).not.toContain("secret");
        expect(foreign.text).not.toContain("hello");
        const viewing = await call(team.base, viewer, method, path, body);
        if (WRITES(method, path))
          expect({ method, path, status: viewing.status }).toEqual({ method, path, status: 403 });
        else
          expect({ method, path, status: viewing.status }).toEqual({ method, path, status: 200 });
      }
      expect(await snapshot()).toBe(before);
      // The stranger's own lists are empty, never acme's.
      expect((await call(team.base, stranger, "GET", "/api/runs")).json).toEqual({ runs: [] });
      expect((await call(team.base, stranger, "GET", "/api/projects")).json).toEqual({
        projects: [],
      });
      expect((await call(team.base, stranger, "GET", "/api/v1/workspaces")).json).toEqual([
        { name: "other", role: "owner" },
      ]);
      expect((await call(team.base, owner, "GET", "/api/v1/auth/me")).json).toMatchObject({
        name: "acme",
      });
    }, 120_000);

    it("answers 404 Project.NotFound for a new project when creating projects is off", async () => {
      await using team = await teamServer(backend, { createProjects: false });
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const body = { workspace: "acme", project: "fresh", run_id: "r", experiment_name: null };
      const missing = await call(team.base, key, "POST", "/api/v1/runs", body);
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ error_code: "Project.NotFound" });
      expect(
        (await call(team.base, key, "POST", "/api/v1/workspaces/acme/projects", { name: "fresh" }))
          .status,
      ).toBe(200);
      expect((await call(team.base, key, "POST", "/api/v1/runs", body)).status).toBe(200);
    }, 60_000);

    it("signs a browser in once with a key: an HttpOnly cookie, never wildcard CORS with credentials", async () => {
      await using team = await teamServer(backend);
      const key = await keyFor(team.databaseUrl, ["default"]);
      expect(
        (await call(team.base, undefined, "POST", "/api/session", { key: "wrong" })).status,
      ).toBe(401);
      const signIn = await call(team.base, undefined, "POST", "/api/session", { key });
      expect(signIn.status).toBe(200);
      const setCookie = signIn.headers.get("set-cookie") ?? "";
      expect(setCookie).toContain("HttpOnly");
      expect(setCookie).toContain("SameSite=Strict");
      const cookie = setCookie.split(";")[0] as string;
      const runs = await fetch(`${team.base}/api/runs`, { headers: { cookie } });
      expect(runs.status).toBe(200);
      expect(runs.headers.get("access-control-allow-credentials")).toBeNull();
      const preflight = await fetch(`${team.base}/api/runs`, {
        method: "OPTIONS",
        headers: { "access-control-request-headers": "authorization" },
      });
      expect(preflight.headers.get("access-control-allow-headers")).toBe(
        "Content-Type, Authorization",
      );
      expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
      await fetch(`${team.base}/api/session/logout`, { method: "POST", headers: { cookie } });
      expect((await fetch(`${team.base}/api/runs`, { headers: { cookie } })).status).toBe(401);
    }, 60_000);
  });
}
