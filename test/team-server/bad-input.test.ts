/**
 * Bad input to the remote protocol: a JSON error that names the problem, nothing of
 * that request stored, the server unharmed; one bad point never fails its batch; and
 * the upsert rules that make retries safe (last in a batch wins, the later timestamp
 * wins across batches, a replayed old batch rolls nothing back).
 */

import { describe, expect, it } from "bun:test";
import { BACKENDS, call, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

async function raw(
  base: string,
  key: string,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body,
  });
  return {
    status: response.status,
    json: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined,
  };
}

for (const backend of BACKENDS) {
  describe(`bad input (${backend})`, () => {
    it("answers malformed bodies with a JSON error, stores nothing, and keeps serving", async () => {
      await using team = await teamServer(backend);
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const id = (
        (
          await call(team.base, key, "POST", "/api/v1/runs", {
            workspace: "acme",
            project: "p",
            run_id: "r",
            experiment_name: null,
          })
        ).json as { id: string }
      ).id;
      const ingest = `/api/v1/runs/${id}/ingest`;
      const cases: [string, Uint8Array | string, Record<string, string>, number, string][] = [
        ["not gzip", "definitely not gzip", { "content-encoding": "gzip" }, 400, "Request.BadGzip"],
        [
          "truncated gzip",
          Bun.gzipSync(new TextEncoder().encode('{"points": []}')).slice(0, 12),
          { "content-encoding": "gzip" },
          400,
          "Request.BadGzip",
        ],
        ["bad JSON", '{"points": [', {}, 400, "Request.BadJson"],
        ["bad JSON with NaN", '{"points": [NaN,', {}, 400, "Request.BadJson"],
        ["points not a list", '{"points": 5}', {}, 400, "Request.WrongType"],
        ["not an object", "[1, 2]", {}, 400, "Request.WrongType"],
        ["brotli", "{}", { "content-encoding": "br" }, 415, "Request.UnsupportedEncoding"],
      ];
      for (const [what, body, headers, status, code] of cases) {
        const answer = await raw(team.base, key, ingest, body, headers);
        expect({ what, status: answer.status, code: answer.json?.error_code }).toEqual({
          what,
          status,
          code,
        });
        expect(typeof answer.json?.detail).toBe("string");
      }
      const bomb = Bun.gzipSync(new Uint8Array(65 * 2 ** 20).fill(32), { level: 9 });
      const big = await raw(team.base, key, ingest, bomb, { "content-encoding": "gzip" });
      expect({ status: big.status, code: big.json?.error_code }).toEqual({
        status: 413,
        code: "Request.TooLarge",
      });
      const plain = await raw(team.base, key, ingest, new Uint8Array(65 * 2 ** 20).fill(32));
      expect({ status: plain.status, code: plain.json?.error_code }).toEqual({
        status: 413,
        code: "Request.TooLarge",
      });
      const unknown = await raw(
        team.base,
        key,
        "/api/v1/runs/999999/ingest",
        JSON.stringify({ points: [{ path: "a", step: 0, timestampMs: 0, number: 1 }] }),
      );
      expect({ status: unknown.status, code: unknown.json?.error_code }).toEqual({
        status: 404,
        code: "Run.NotFound",
      });
      const badId = await raw(
        team.base,
        key,
        "/api/v1/runs/not-a-number/configs",
        '{"configs": []}',
      );
      expect(badId.status).toBe(404);
      expect((await call(team.base, key, "GET", `/api/v1/runs/${id}/paths`)).json).toEqual([]);
      expect((await fetch(`${team.base}/health`)).status).toBe(200);
    }, 120_000);

    it("answers 503 with Retry-After beyond its requests in flight, and serves again after", async () => {
      await using team = await teamServer(backend, { maxInFlight: 1 });
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const id = (
        (
          await call(team.base, key, "POST", "/api/v1/runs", {
            workspace: "acme",
            project: "p",
            run_id: "r",
            experiment_name: null,
          })
        ).json as { id: string }
      ).id;
      // A request held in flight: its body is sent in two parts, the second only once
      // the server has answered another request 503.
      let finish: (() => void) | undefined;
      const text = new TextEncoder().encode(
        JSON.stringify({ points: [{ path: "m", step: 0, timestampMs: 0, number: 1 }] }),
      );
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(text.subarray(0, 10));
          finish = () => {
            controller.enqueue(text.subarray(10));
            controller.close();
          };
        },
      });
      const held = fetch(`${team.base}/api/v1/runs/${id}/ingest`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit);
      const busy = await waitFor(
        async () => {
          const answer = await fetch(`${team.base}/health`);
          await answer.arrayBuffer();
          return answer.status === 503 ? answer : undefined;
        },
        "an overloaded answer",
        30_000,
      );
      expect(busy.headers.get("retry-after")).toBe("1");
      finish?.();
      expect((await held).status).toBe(200);
      expect((await fetch(`${team.base}/health`)).status).toBe(200);
    }, 120_000);

    it("stores the good points of a batch with bad ones, and reports the bad ones", async () => {
      await using team = await teamServer(backend);
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const id = (
        (
          await call(team.base, key, "POST", "/api/v1/runs", {
            workspace: "acme",
            project: "p",
            run_id: "r",
            experiment_name: null,
          })
        ).json as { id: string }
      ).id;
      const body = `{"points": [{"path": "m", "step": 0, "timestampMs": 1000, "number": 1.5},
        {"path": "m", "step": "one", "timestampMs": 1000, "number": 2},
        {"path": "m", "step": 1, "timestampMs": 1000, "number": {"x": 1}},
        {"path": "", "step": 1, "timestampMs": 1000, "number": 1},
        {"path": "m", "step": 2, "timestampMs": 1000, "number": NaN},
        {"path": "m", "step": 3, "timestampMs": 1000, "number": -Infinity},
        {"path": "s", "step": 0, "timestampMs": 1000, "text": 5},
        {"path": "s", "step": 1, "timestampMs": 1000, "text": "ok"},
        7]}`;
      const answer = await raw(team.base, key, `/api/v1/runs/${id}/ingest`, body);
      expect(answer.status).toBe(200);
      expect(answer.json?.stored).toBe(4);
      expect(((answer.json?.rejected ?? []) as { index: number }[]).map((r) => r.index)).toEqual([
        1, 2, 3, 6, 8,
      ]);
      const configs = await call(team.base, key, "POST", `/api/v1/runs/${id}/configs`, {
        configs: [
          { path: "ok", type_tag: "int", value: "1" },
          { path: 5, type_tag: "int", value: "2" },
          { path: "bad", type_tag: "int", value: 3 },
        ],
      });
      expect(configs.status).toBe(204);
      expect(configs.headers.get("x-goodseed-rejected")).toContain("1: 'path'");
      const run = (await call(team.base, key, "GET", `/api/v1/runs/${id}`)).json as {
        configs: { path: string }[];
      };
      expect(run.configs.map((config) => config.path)).toEqual(["ok"]);
      const metrics = (await call(team.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=m`))
        .json as { raw_points: { step: number; y: unknown }[] };
      expect(metrics.raw_points.map((p) => [p.step, p.y])).toEqual([
        [0, 1.5],
        [2, "NaN"],
        [3, "-Infinity"],
      ]);
    }, 60_000);

    it("keeps the last point of a step within a batch and the later timestamp across batches", async () => {
      await using team = await teamServer(backend);
      const key = await keyFor(team.databaseUrl, ["acme"]);
      const id = (
        (
          await call(team.base, key, "POST", "/api/v1/runs", {
            workspace: "acme",
            project: "p",
            run_id: "r",
            experiment_name: null,
          })
        ).json as { id: string }
      ).id;
      const send = (points: unknown[]) =>
        call(team.base, key, "POST", `/api/v1/runs/${id}/ingest`, { points });
      const newer = [
        { path: "m", step: 1, timestampMs: 2000, number: 1 },
        { path: "m", step: 1, timestampMs: 2000, number: 2 },
        { path: "s", step: 1, timestampMs: 2000, text: "first" },
        { path: "s", step: 1, timestampMs: 2000, text: "last" },
      ];
      const older = [
        { path: "m", step: 1, timestampMs: 1000, number: 99 },
        { path: "m", step: 0.5, timestampMs: 1000, number: 7 },
        { path: "s", step: 1, timestampMs: 1000, text: "stale" },
      ];
      expect((await send(newer)).status).toBe(200);
      expect((await send(older)).status).toBe(200);
      expect((await send(newer)).status).toBe(200);
      const metrics = (await call(team.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=m`))
        .json as { raw_points: { step: number; y: unknown }[] };
      expect(metrics.raw_points.map((p) => [p.step, p.y])).toEqual([
        [0.5, 7],
        [1, 2],
      ]);
      const strings = (await call(team.base, key, "GET", `/api/v1/runs/${id}/data/strings?path=s`))
        .json as { points: { value: string }[] };
      expect(strings.points.map((p) => p.value)).toEqual(["last"]);
      const later = await send([{ path: "m", step: 1, timestampMs: 3000, number: 3 }]);
      expect(later.status).toBe(200);
      const after = (await call(team.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=m`))
        .json as { raw_points: { step: number; y: unknown }[] };
      expect(after.raw_points.map((p) => [p.step, p.y])).toEqual([
        [0.5, 7],
        [1, 3],
      ]);
    }, 60_000);
  });
}
