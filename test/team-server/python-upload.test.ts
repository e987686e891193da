/**
 * The Python client's `goodseed upload` of a run written offline, replayed from the
 * bytes it sent (test/fixtures/python-upload): the run keeps its own creation time, and
 * its close time comes from its `sys/closed_time` (the client's status call carries no
 * `closed_at`), not from the moment of the upload.
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
  readonly reply?: { id: string };
}

const recorded: Recorded[] = readFileSync(
  join(REPO_ROOT, "test/fixtures/python-upload/requests.jsonl"),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Recorded);

for (const backend of BACKENDS) {
  describe(`the Python client's goodseed upload (${backend})`, () => {
    it("stores the run with its own creation and close times, twice the same", async () => {
      await using team = await teamServer(backend);
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const replay = async () => {
        let id = "";
        for (const request of recorded) {
          const headers = new Headers(request.headers);
          headers.set("authorization", `Bearer ${key}`);
          headers.delete("content-length");
          const response = await fetch(
            `${team.base}${request.path.replace(/\/runs\/1\//, `/runs/${id}/`)}`,
            { method: request.method, headers, body: Buffer.from(request.body_base64, "base64") },
          );
          const text = await response.text();
          expect({ path: request.path, status: response.status }).toEqual({
            path: request.path,
            status: request.answer,
          });
          if (request.reply) id = (JSON.parse(text) as { id: string }).id;
        }
      };
      const state = async () => ({
        runs: (await call(team.base, key, "GET", "/api/runs")).json,
        configs: (await call(team.base, key, "GET", "/api/runs/acme%2Foffline/py-tiny/configs"))
          .json,
        metrics: (await call(team.base, key, "GET", "/api/runs/acme%2Foffline/py-tiny/metrics"))
          .json,
      });
      await replay();
      const first = await state();
      expect(first.runs).toEqual({
        runs: [
          {
            project: "acme/offline",
            run_id: "py-tiny",
            experiment_name: "Tiny offline",
            created_at: "2026-12-02T10:16:44.125828+00:00",
            closed_at: "2026-12-02T10:16:44.178462+00:00",
            status: "failed",
            trashed: false,
            string_series_paths: ["notes"],
            metric_paths: ["train/loss"],
          },
        ],
      });
      expect(
        (first.configs as { configs: Record<string, unknown> }).configs["sys/closed_time"],
      ).toBe("2026-12-02T10:16:44.178462+00:00");
      expect(
        (first.metrics as { metrics: { value: unknown }[] }).metrics.map((p) => p.value),
      ).toEqual([0.5, "Infinity"]);
      // Uploaded again (a retry after a lost answer): the same state.
      await replay();
      expect(await state()).toEqual(first);
    }, 60_000);
  });
}
