/**
 * The Python client's read-only runs with a viewer's key: it registers (create-or-get)
 * to learn the remote id, so registration answers a viewer the id of an existing run
 * and creates nothing; a run that does not exist stays 403. The requests are the bytes
 * the real client sent (test/fixtures/python-viewer).
 */

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BACKENDS, call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { REPO_ROOT } from "../helpers/temp-dir.ts";

useTeamServers();

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body_base64: string;
  readonly answer: number;
}

const recorded: Recorded[] = readFileSync(
  join(REPO_ROOT, "test/fixtures/python-viewer/requests.jsonl"),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Recorded);

for (const backend of BACKENDS) {
  describe(`the Python client's read-only run with a viewer's key (${backend})`, () => {
    it("answers the recorded requests as the client needs, and stores nothing for them", async () => {
      await using team = await teamServer(backend, { homeWorkspace: "acme" });
      const member = await keyFor(team.databaseUrl, ["acme"], "member", "alice");
      const viewer = await keyFor(team.databaseUrl, ["acme"], "viewer", "victor");
      const registered = await call(team.base, member, "POST", "/api/v1/runs", {
        workspace: "acme",
        project: "offline",
        run_id: "py-offline-1",
        experiment_name: "Offline",
      });
      const id = (registered.json as { id: string }).id;
      const points = [
        ...Array.from({ length: 10 }, (_, step) => ({
          path: "loss",
          step,
          timestampMs: 1000 + step,
          number: 1 / (step + 1),
        })),
        { path: "frac", step: 2, timestampMs: 1000, number: 3 },
        { path: "log", step: 0, timestampMs: 1000, text: "line" },
      ];
      expect(
        (await call(team.base, member, "POST", `/api/v1/runs/${id}/ingest`, { points })).status,
      ).toBe(200);
      const before = (await call(team.base, member, "GET", "/api/runs")).text;

      const answers: number[] = [];
      for (const request of recorded) {
        const headers = new Headers(request.headers);
        headers.set("authorization", `Bearer ${viewer}`);
        headers.delete("content-length");
        const body = Buffer.from(request.body_base64, "base64");
        const response = await fetch(
          `${team.base}${request.path.replace("/runs/1/", `/runs/${id}/`)}`,
          {
            method: request.method,
            headers,
            ...(request.method === "POST" && { body }),
          },
        );
        const text = await response.text();
        answers.push(response.status);
        if (request.method === "POST" && response.status === 200)
          expect(JSON.parse(text)).toEqual({ id });
        if (request.path.endsWith("/paths"))
          expect(JSON.parse(text)).toEqual([
            { path: "frac", type: "metric" },
            { path: "loss", type: "metric" },
            { path: "log", type: "string" },
          ]);
      }
      expect(answers).toEqual(recorded.map((request) => request.answer));
      expect(answers[0]).toBe(200);
      // Neither the viewer's registration of an existing run nor the refused one of a
      // missing run changed anything.
      expect((await call(team.base, member, "GET", "/api/runs")).text).toBe(before);
    }, 60_000);
  });
}
