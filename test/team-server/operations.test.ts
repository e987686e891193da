/**
 * Operations: the CLI (keys, start, a clear exit 1 when the database cannot be
 * reached), /health, two server processes on one database answering the same, a
 * graceful stop, and PostgreSQL going away and coming back (503, then recovery).
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import {
  BACKENDS,
  call,
  freshDatabase,
  postgresCluster,
  spawnServer,
  teamServer,
  useTeamServers,
} from "../helpers/team-server.ts";
import { REPO_ROOT } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

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

const points = (from: number, count: number) => ({
  points: Array.from({ length: count }, (_, i) => ({
    path: "loss",
    step: from + i,
    timestampMs: 1000,
    number: (from + i) / 7,
  })),
});

for (const backend of BACKENDS) {
  describe(`goodseed server (${backend})`, () => {
    it("creates, lists and revokes keys; two processes on one database answer the same", async () => {
      const url = await freshDatabase(backend);
      const created = cli([
        "server",
        "keys",
        "create",
        "--database",
        url,
        "--workspace",
        "acme",
        "--name",
        "alice",
        "--json",
      ]);
      expect(created.code).toBe(0);
      const { key, key_id } = JSON.parse(created.stdout) as { key: string; key_id: string };
      expect(key).toStartWith(`gsk_${key_id}_`);
      const listed = cli(["server", "keys", "list", "--database", url]);
      expect(listed.stdout).toContain(key_id);
      expect(listed.stdout).not.toContain(key);

      await using first = await spawnServer(url, ["--quiet"]);
      await using second = await spawnServer(url, ["--quiet"]);
      const reg = await call(first.base, key, "POST", "/api/v1/runs", {
        workspace: "acme",
        project: "p",
        run_id: "r",
        experiment_name: null,
      });
      const id = (reg.json as { id: string }).id;
      expect(
        (
          await call(second.base, key, "POST", "/api/v1/runs", {
            workspace: "acme",
            project: "p",
            run_id: "r",
            experiment_name: null,
          })
        ).json,
      ).toEqual({ id });
      const view = "/api/runs/acme/p/r/metrics?path=loss&pointCount=50";
      for (let round = 0; round < 3; round++) {
        // Each write goes to one process; the other's cached series must follow.
        const writer = round % 2 === 0 ? first : second;
        expect(
          (
            await call(
              writer.base,
              key,
              "POST",
              `/api/v1/runs/${id}/ingest`,
              points(round * 500, 500),
            )
          ).status,
        ).toBe(200);
        const a = await call(first.base, key, "GET", view);
        const b = await call(second.base, key, "GET", view);
        expect(a.text).toBe(b.text);
        expect((a.json as { totalCount: number }).totalCount).toBe((round + 1) * 500);
        expect((await call(first.base, key, "GET", "/api/runs")).text).toBe(
          (await call(second.base, key, "GET", "/api/runs")).text,
        );
      }

      const revoked = cli(["server", "keys", "revoke", key_id, "--database", url]);
      expect(revoked.code).toBe(0);
      // Both processes know the key from before: a view (whose run lookup checks the key),
      // a run that is not there, a list and a write are all refused at once.
      for (const server of [first, second]) {
        const refused = await call(server.base, key, "GET", view);
        expect(refused.status).toBe(401);
        expect(refused.text).not.toContain("totalCount");
        expect(
          (
            await call(
              server.base,
              key,
              "GET",
              "/api/runs/acme/p/none/metrics?path=loss&pointCount=5",
            )
          ).status,
        ).toBe(401);
        expect((await call(server.base, key, "GET", "/api/runs")).status).toBe(401);
        expect(
          (await call(server.base, key, "POST", `/api/v1/runs/${id}/ingest`, points(5000, 5)))
            .status,
        ).toBe(401);
      }
    }, 120_000);
  });
}

describe("goodseed server and its database", () => {
  it("exits 1 with a clear error when the database cannot be reached at start", () => {
    const result = cli([
      "server",
      "--database",
      "postgres://nobody@127.0.0.1:9/none",
      "--port",
      "0",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "could not open the database at postgres://nobody@127.0.0.1:9/none",
    );
  });

  it("refuses a port that another server already listens on, and says to pick another", async () => {
    await using first = await teamServer("sqlite");
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env))
      if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;
    // Both would take the port (SO_REUSEPORT) and split its requests between two databases.
    const second = Bun.spawnSync(
      [
        process.execPath,
        join(REPO_ROOT, "bin/goodseed.ts"),
        "server",
        "--port",
        String(first.server.port),
        "--database",
        await freshDatabase("sqlite"),
      ],
      { env, timeout: 15_000 },
    );
    expect(second.exitCode).toBe(1);
    expect(second.stderr.toString()).toContain(`port ${first.server.port} is in use`);
    expect(second.stderr.toString()).toContain("--port");
  });

  it("refuses a --max-in-flight that is not a whole number of at least 1", () => {
    for (const bad of ["0", "-3", "1.5", "many"]) {
      const result = cli(["server", `--max-in-flight=${bad}`, "--port", "0"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `--max-in-flight must be a whole number of at least 1, not '${bad}'`,
      );
    }
  });

  it("answers 503 while PostgreSQL is down and recovers when it is back", async () => {
    const cluster = await postgresCluster();
    const url = await cluster.createDatabase();
    const { key } = JSON.parse(
      cli([
        "server",
        "keys",
        "create",
        "--database",
        url,
        "--workspace",
        "acme",
        "--name",
        "a",
        "--json",
      ]).stdout,
    );
    await using server = await spawnServer(url, ["--quiet"]);
    const id = (
      (
        await call(server.base, key, "POST", "/api/v1/runs", {
          workspace: "acme",
          project: "p",
          run_id: "r",
          experiment_name: null,
        })
      ).json as { id: string }
    ).id;
    cluster.stopServer();
    try {
      const down = await call(server.base, key, "POST", `/api/v1/runs/${id}/ingest`, points(0, 10));
      expect(down.status).toBe(503);
      expect(down.headers.get("retry-after")).not.toBeNull();
      expect((await fetch(`${server.base}/health`)).status).toBe(503);
    } finally {
      cluster.startServer();
    }
    await waitFor(
      async () =>
        (await call(server.base, key, "POST", `/api/v1/runs/${id}/ingest`, points(0, 10)))
          .status === 200,
      "recovery",
      30_000,
    );
    const data = (await call(server.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=loss`))
      .json as { raw_points: unknown[] };
    expect(data.raw_points.length).toBe(10);
  }, 120_000);

  it("finishes requests in flight when stopped", async () => {
    const url = await freshDatabase("sqlite");
    const { key } = JSON.parse(
      cli([
        "server",
        "keys",
        "create",
        "--database",
        url,
        "--workspace",
        "acme",
        "--name",
        "a",
        "--json",
      ]).stdout,
    );
    const server = await spawnServer(url, ["--max-in-flight", "1"]);
    const id = (
      (
        await call(server.base, key, "POST", "/api/v1/runs", {
          workspace: "acme",
          project: "p",
          run_id: "r",
          experiment_name: null,
        })
      ).json as { id: string }
    ).id;
    // A request the server is holding: its body arrives in two parts, the second only
    // once the server is stopping. It is in flight once the server, allowed one request
    // at a time, answers another one 503.
    const text = new TextEncoder().encode(JSON.stringify(points(0, 20_000)));
    let finish: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(text.subarray(0, 100));
        finish = () => {
          controller.enqueue(text.subarray(100));
          controller.close();
        };
      },
    });
    const pending = fetch(`${server.base}/api/v1/runs/${id}/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await waitFor(
      async () => {
        const answer = await fetch(`${server.base}/health`, { keepalive: false });
        await answer.arrayBuffer();
        return answer.status === 503;
      },
      "the held request in flight",
      30_000,
    );
    server.process.kill("SIGTERM");
    await waitFor(
      () => server.output().includes("finishing requests in flight"),
      "the stop",
      30_000,
    );
    finish?.();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await server.process.exited).toBe(0);
    expect(server.output()).toMatch(/"path":"\/api\/v1\/runs\/[^"]+\/ingest","status":200/);
    // The points of the request that was in flight are all stored.
    await using again = await spawnServer(url, ["--quiet"]);
    const stored = (await call(again.base, key, "GET", `/api/v1/runs/${id}/data/metrics?path=loss`))
      .json as { raw_points: unknown[] };
    expect(stored.raw_points.length).toBe(20_000);
    expect(server.output()).toContain('"path":"/api/v1/runs"');
  }, 120_000);
});
