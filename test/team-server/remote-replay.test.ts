/**
 * The 23 requests the Python client 0.4.0 made to a remote API, replayed byte for byte
 * (twice: clients retry) against the team server on both databases; the state it then
 * holds must be the recorded expected.json exactly.
 */

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BACKENDS, call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { FIXTURES } from "../helpers/temp-dir.ts";

useTeamServers();

const REMOTE = join(FIXTURES, "..", "..", "..", "..", "shared", "compat", "remote");
const remoteDir = (() => {
  for (const candidate of [join(FIXTURES, "remote"), "/work/shared/compat/remote", REMOTE]) {
    try {
      readFileSync(join(candidate, "expected.json"));
      return candidate;
    } catch {}
  }
  throw new Error("compat/remote fixtures not found");
})();

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body_base64: string;
  answer: number;
  reply?: { id: string };
}

const requests: Recorded[] = readFileSync(join(remoteDir, "requests.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line));
const expected = JSON.parse(readFileSync(join(remoteDir, "expected.json"), "utf8"));

const nonFinite = (value: unknown) =>
  typeof value === "number" && !Number.isFinite(value) ? String(value) : value;

async function replay(base: string, key: string, ids: Map<string, string>): Promise<void> {
  for (const recorded of requests) {
    let path = recorded.path;
    for (const [theirs, ours] of ids) path = path.replaceAll(theirs, ours);
    const headers = new Headers();
    for (const [name, value] of Object.entries(recorded.headers)) {
      if (["content-length", "connection", "authorization"].includes(name)) continue;
      headers.set(name, value);
    }
    headers.set("authorization", `Bearer ${key}`);
    const body = Buffer.from(recorded.body_base64, "base64");
    const response = await fetch(`${base}${path}`, { method: recorded.method, headers, body });
    const text = await response.text();
    expect({ path: recorded.path, status: response.status }).toEqual({
      path: recorded.path,
      status: recorded.answer,
    });
    if (recorded.reply) ids.set(recorded.reply.id, JSON.parse(text).id);
  }
}

async function state(base: string, key: string, ids: Map<string, string>) {
  const runs = [];
  for (const id of new Set(ids.values())) {
    const run = (await call(base, key, "GET", `/api/v1/runs/${id}`)).json as Record<
      string,
      unknown
    > & { configs: { path: string; type_tag: string; value: string }[] };
    const paths = (await call(base, key, "GET", `/api/v1/runs/${id}/paths`)).json as {
      path: string;
      type: string;
    }[];
    const metrics: Record<string, unknown[]> = {};
    const strings: Record<string, unknown[]> = {};
    for (const { path, type } of paths) {
      const q = `path=${encodeURIComponent(path)}`;
      if (type === "metric") {
        const body = (await call(base, key, "GET", `/api/v1/runs/${id}/data/metrics?${q}`))
          .json as { raw_points: { step: number; y: unknown; timestampMs: number }[] };
        metrics[path] = body.raw_points.map((p) => [p.step, nonFinite(p.y), p.timestampMs]);
      } else {
        const body = (await call(base, key, "GET", `/api/v1/runs/${id}/data/strings?${q}`))
          .json as { points: { step: number; value: string; timestampMs: number }[] };
        strings[path] = body.points.map((p) => [p.step, p.value, p.timestampMs]);
      }
    }
    runs.push({
      workspace: run.workspace,
      project: run.project,
      run_id: run.run_id,
      experiment_name: run.experiment_name,
      status: run.status,
      configs: Object.fromEntries(run.configs.map((c) => [c.path, [c.type_tag, c.value]])),
      metrics,
      strings,
    });
  }
  return runs.sort((a, b) => String(a.run_id).localeCompare(String(b.run_id)));
}

function normalise(runs: Record<string, unknown>[]) {
  return runs
    .map((run) => ({
      workspace: run.workspace,
      project: run.project,
      run_id: run.run_id,
      experiment_name: run.experiment_name,
      status: run.status,
      configs: run.configs,
      metrics: run.metrics,
      strings: run.strings,
    }))
    .sort((a, b) => String(a.run_id).localeCompare(String(b.run_id)));
}

for (const backend of BACKENDS) {
  describe(`Python client replay (${backend})`, () => {
    it("leaves the recorded state, and the same state after a second replay", async () => {
      await using team = await teamServer(backend, { homeWorkspace: "acme" });
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const ids = new Map<string, string>();
      await replay(team.base, key, ids);
      const first = await state(team.base, key, ids);
      expect(first as unknown).toEqual(normalise(expected));
      await replay(team.base, key, ids);
      expect((await state(team.base, key, ids)) as unknown).toEqual(first);
    }, 120_000);
  });
}
