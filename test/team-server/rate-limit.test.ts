/**
 * The request rate limit per API key: past it a key's request is answered 429 with
 * Retry-After and a JSON error, nothing of it is stored, other keys go on, and the
 * same request is accepted once the key has waited. Our uploader waits what
 * Retry-After says before it sends again, and gets everything across exactly once.
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import {
  BACKENDS,
  call,
  freshDatabase,
  keyFor,
  runUpload,
  spawnServer,
  teamServer,
  useTeamServers,
} from "../helpers/team-server.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

interface Answer {
  status: number;
  json: unknown;
  headers: Headers;
}

async function register(base: string, key: string, runId: string): Promise<string> {
  const answer = await call(base, key, "POST", "/api/v1/runs", {
    workspace: "acme",
    project: "p",
    run_id: runId,
    experiment_name: null,
  });
  expect(answer.status).toBe(200);
  return (answer.json as { id: string }).id;
}

/** A GET that waits out the reading key's own limit: sent again while it answers 429. */
function patientGet(base: string, key: string, path: string) {
  return waitFor(
    async () => {
      const answer = await call(base, key, "GET", path);
      return answer.status === 429 ? undefined : answer;
    },
    `${path} past the rate limit`,
    30_000,
    250,
  );
}

/** Metric steps and string steps of run `id`, read with `key`. */
async function stored(base: string, key: string, id: string) {
  const metrics = await patientGet(base, key, `/api/v1/runs/${id}/data/metrics?path=m`);
  const strings = await patientGet(base, key, `/api/v1/runs/${id}/data/strings?path=s`);
  expect([metrics.status, strings.status]).toEqual([200, 200]);
  return {
    metrics: (metrics.json as { raw_points: { step: number }[] }).raw_points.map((p) => p.step),
    strings: (strings.json as { points: { step: number }[] }).points.map((p) => p.step),
  };
}

for (const backend of BACKENDS) {
  describe(`rate limit per key (${backend})`, () => {
    it("answers 429 with Retry-After past a key's rate, stores nothing of that request, and takes it after the wait", async () => {
      // Half a request a second: a bucket of one, refilled every 2 s.
      await using team = await teamServer(backend, { rateLimit: 0.5 });
      const writer = await keyFor(team.databaseUrl, ["acme"], "member", "writer");
      const reader = await keyFor(team.databaseUrl, ["acme"], "viewer", "reader");
      const id = await register(team.base, writer, "r");
      const body = (step: number) => ({
        points: [
          { path: "m", step, timestampMs: 1000, number: step },
          { path: "s", step, timestampMs: 1000, text: `line ${step}` },
        ],
      });
      // The register took the bucket's token: the next request is refused, unless the
      // machine was slow enough for a token to come back, and then the one after.
      let step = 0;
      const refused = await waitFor(
        async (): Promise<Answer | undefined> => {
          const answer = await call(
            team.base,
            writer,
            "POST",
            `/api/v1/runs/${id}/ingest`,
            body(step),
          );
          if (answer.status === 429) return answer;
          expect(answer.status).toBe(200);
          step++;
          return undefined;
        },
        "a 429",
        30_000,
        0,
      );
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2).toBe(true);
      expect(refused.headers.get("content-type")).toBe("application/json");
      expect(refused.json).toMatchObject({ error_code: "Key.RateLimited" });
      expect((refused.json as { detail: string }).detail).toContain("retry in");

      // Another key is not held back by this one, and sees nothing of the refused request.
      const first = await call(team.base, reader, "GET", `/api/v1/runs/${id}/paths`);
      expect(first.status).toBe(200);
      const before = await stored(team.base, reader, id);
      expect(before.metrics).not.toContain(step);
      expect(before.strings).not.toContain(step);
      expect(before.metrics).toEqual(Array.from({ length: step }, (_, i) => i));

      // The same request, sent again until the key's bucket has a token.
      const accepted = await waitFor(
        async () => {
          const answer = await call(
            team.base,
            writer,
            "POST",
            `/api/v1/runs/${id}/ingest`,
            body(step),
          );
          if (answer.status === 200) return answer;
          expect(answer.status).toBe(429);
          return undefined;
        },
        "the request to be accepted after Retry-After",
        30_000,
        250,
      );
      expect(accepted.json).toEqual({ stored: 2, rejected: [] });
      const after = await stored(team.base, reader, id);
      expect(after.metrics).toContain(step);
      expect(after.strings).toContain(step);
    }, 120_000);
  });
}

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;
  const result = Bun.spawnSync([process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), ...args], {
    env,
  });
  return {
    code: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

describe("rate limit of `goodseed server --rate-limit` and our uploader", () => {
  it("documents --rate-limit and refuses a value that is not a number of at least 0", () => {
    const help = cli(["server", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--rate-limit <n>");
    expect(help.stdout).toContain("[default: 1000]");
    for (const bad of ["-1", "fast", "1e3", ""]) {
      const result = cli(["server", `--rate-limit=${bad}`, "--port", "0"]);
      expect({ bad, code: result.code }).toEqual({ bad, code: 2 });
      expect(result.stderr).toContain(`--rate-limit must be a number of requests a second`);
    }
  });

  it("uploads a run exactly through 429s, each retry sent no sooner than Retry-After said", async () => {
    const databaseUrl = await freshDatabase("sqlite");
    const writer = await keyFor(databaseUrl, ["acme"], "member", "writer");
    const reader = await keyFor(databaseUrl, ["acme"], "viewer", "reader");
    await using server = await spawnServer(databaseUrl, ["--rate-limit", "1"]);
    await using home = tempDir();
    const run = localRun(home.path, { project: "acme/p", runId: "limited" });
    run.set("lr", 0.5);
    for (let step = 0; step < 50; step++) {
      run.log("m", step / 2, { step });
      run.log("s", `line ${step}`, { step });
    }
    await run.close();

    const upload = await runUpload(home.path, server.base, writer, "acme/p");
    expect({ code: upload.code, stderr: upload.stderr }).toMatchObject({ code: 0 });

    // The request log: one JSON line per request, written when it was answered.
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { time: string; status: number; ms: number; path: string })
      .filter((line) => line.path.startsWith("/api/v1/"));
    const limited = lines.filter((line) => line.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const refusal of limited) {
      const answeredAt = Date.parse(refusal.time);
      // Not the refusal itself: answered from memory, it can take under the 1 ms slack.
      const next = lines.find(
        (line) => line !== refusal && Date.parse(line.time) - line.ms > answeredAt - 1,
      );
      if (next === undefined) continue;
      // Retry-After was 1 s; the uploader's own first backoff is at most 0.5 s.
      expect(Date.parse(next.time) - next.ms - answeredAt).toBeGreaterThanOrEqual(950);
    }

    const runs = await patientGet(server.base, reader, "/api/v1/workspaces/acme/projects/p/runs");
    expect(runs.status).toBe(200);
    const id = String((runs.json as { id: string | number }[])[0]?.id);
    const data = await stored(server.base, reader, id);
    expect(data.metrics).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(data.strings).toEqual(Array.from({ length: 50 }, (_, i) => i));
  }, 120_000);
});
