/**
 * Speed of `goodseed server` (on PostgreSQL, or the database given) beside
 * `goodseed serve` on the same runs, client, servers and database on this machine:
 * ingest from 8 concurrent uploaders (points/s, p99 of a 5,000-point batch), bytes
 * per metric point on disk (chunk bodies and the series' overview), the first (once
 * the background upkeep made the overview) and a repeated view of a 1,000,000-point
 * series, a live poll after new points, and /api/runs on 5,000 runs (first, cached).
 *
 *   bun scripts/bench-server.ts [--database postgres://…] [--seconds 10] [--runs 5000] [--points 1000000]
 *
 * Without --database it starts a throw-away PostgreSQL cluster (initdb in a temp dir).
 */

import { Database as SqliteFile } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SQL } from "bun";
import { startPostgres } from "../test/helpers/postgres.ts";
import { buildHome, median, startServer } from "./bench-home.ts";

const { values } = parseArgs({
  options: {
    database: { type: "string" },
    seconds: { type: "string", default: "10" },
    runs: { type: "string", default: "5000" },
    points: { type: "string", default: "1000000" },
    strings: { type: "string", default: "100000" },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const POINTS = Number(values.points);
const STRINGS = Number(values.strings);
const UPLOADERS = 8;
const BATCH = 5000;
const ROOT = join(import.meta.dir, "..");
const START_S = 1767225600;

function env(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("GOODSEED_")) out[name] = value;
  return out;
}

function cli(args: string[]): string {
  const result = Bun.spawnSync([process.execPath, join(ROOT, "bin/goodseed.ts"), ...args], {
    env: env(),
  });
  if (result.exitCode !== 0) throw new Error(`goodseed ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.toString();
}

async function startTeam(database: string): Promise<{ base: string; stop(): Promise<void> }> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = probe.port as number;
  await probe.stop(true);
  const child = Bun.spawn(
    [
      process.execPath,
      join(ROOT, "bin/goodseed.ts"),
      "server",
      "--database",
      database,
      "--port",
      String(port),
      "--quiet",
    ],
    { env: env(), stdout: "ignore", stderr: "inherit" },
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 30_000;
  while (
    !(await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (performance.now() > deadline) throw new Error("goodseed server did not start");
    await Bun.sleep(50);
  }
  return {
    base,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const row = (label: string, team: string, serve: string, goal: string) =>
  console.log(`${label.padEnd(40)} ${team.padStart(16)} ${serve.padStart(16)}   ${goal}`);

async function timed(url: string, key?: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return performance.now() - started;
}

async function repeated(url: string, key?: string, n = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await timed(url, key));
  return median(times);
}

class Client {
  constructor(
    readonly base: string,
    readonly key: string,
  ) {}
  async post(path: string, body: string, gzip = false): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.key}`,
      "content-type": "application/json",
    };
    if (gzip) headers["content-encoding"] = "gzip";
    const payload = gzip ? Bun.gzipSync(new TextEncoder().encode(body), { level: 6 }) : body;
    for (;;) {
      const response = await fetch(`${this.base}${path}`, {
        method: "POST",
        headers,
        body: payload,
      });
      // As a client should: past the key's rate limit (or the server's bound), wait and resend.
      if (response.status === 429 || response.status === 503) {
        await response.arrayBuffer();
        await Bun.sleep(Number(response.headers.get("retry-after") ?? "1") * 1000);
        continue;
      }
      if (!response.ok)
        throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
      return response;
    }
  }
  async register(
    workspace: string,
    project: string,
    runId: string,
    createdAt?: string,
  ): Promise<string> {
    const response = await this.post(
      "/api/v1/runs",
      JSON.stringify({
        workspace,
        project,
        run_id: runId,
        experiment_name: null,
        ...(createdAt ? { created_at: createdAt } : {}),
      }),
    );
    return ((await response.json()) as { id: string }).id;
  }
}

function metricBody(
  path: string,
  from: number,
  count: number,
  value: (step: number) => number,
  ts: (step: number) => number,
): string {
  const items: string[] = [];
  for (let step = from; step < from + count; step++)
    items.push(
      `{"path": ${JSON.stringify(path)}, "step": ${step}, "timestampMs": ${ts(step) * 1000}, "number": ${value(step)}}`,
    );
  return `{"points": [${items.join(", ")}]}`;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), "goodseed-bench-server-"));
const cluster = values.database ? undefined : await startPostgres();
try {
  const database =
    values.database ??
    (await (cluster as Awaited<ReturnType<typeof startPostgres>>).createDatabase());
  console.log(
    `database: ${database.replace(/:[^:@/]*@/, ":***@")}; building the same runs as files for goodseed serve…`,
  );
  buildHome(dir, { runs: RUNS, points: POINTS, strings: STRINGS });
  Bun.spawnSync(["sync"]);
  const key = (
    JSON.parse(
      cli([
        "server",
        "keys",
        "create",
        "--database",
        database,
        "--workspace",
        "bench",
        "--name",
        "bench",
        "--json",
      ]),
    ) as { key: string }
  ).key;
  let team = await startTeam(database);
  const client = new Client(team.base, key);

  // 1. Ingest: 8 uploaders, 5,000-point gzip batches, for SECONDS.
  const bodies: string[][] = [];
  const ids: string[] = [];
  for (let u = 0; u < UPLOADERS; u++) {
    ids.push(await client.register("bench", "ingest", `uploader-${u}`));
    const own: string[] = [];
    for (let b = 0; b < 20; b++)
      own.push(
        metricBody(
          "train/loss",
          b * BATCH,
          BATCH,
          (s) => Math.exp(-s / 1e5) + 0.01 * Math.sin(s),
          (s) => START_S + Math.floor(s / 100),
        ),
      );
    bodies.push(own);
  }
  const zipped = bodies.map((own) =>
    own.map((body) => Bun.gzipSync(new TextEncoder().encode(body), { level: 6 })),
  );
  const latencies: number[] = [];
  let ingested = 0;
  const ingestStart = performance.now();
  const deadline = ingestStart + SECONDS * 1000;
  await Promise.all(
    ids.map(async (id, u) => {
      for (let b = 0; performance.now() < deadline; b++) {
        const started = performance.now();
        const response = await fetch(`${team.base}/api/v1/runs/${id}/ingest`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "content-encoding": "gzip",
          },
          body: (zipped[u] as Uint8Array[])[b % 20] as Uint8Array,
        });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`ingest: HTTP ${response.status}`);
        latencies.push(performance.now() - started);
        ingested += BATCH;
      }
    }),
  );
  const ingestS = (performance.now() - ingestStart) / 1000;

  // 2. The same runs as the files: 5,000 small runs and the 1,000,000-point series.
  const small = Array.from({ length: RUNS }, (_, i) => i);
  await pool(small, 8, async (i) => {
    const id = await client.register(
      "bench",
      `group-${i % 10}`,
      `run-${String(i).padStart(5, "0")}`,
      new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace("Z", "000+00:00"),
    );
    const items: string[] = [];
    for (let step = 0; step < 20; step++) {
      items.push(
        `{"path": "train/loss", "step": ${step}, "timestampMs": ${START_S * 1000}, "number": ${1 / (step + 1)}}`,
      );
      items.push(
        `{"path": "train/acc", "step": ${step}, "timestampMs": ${START_S * 1000}, "number": ${step / 20}}`,
      );
    }
    items.push(`{"path": "log", "step": 0, "timestampMs": ${START_S * 1000}, "text": "hello"}`);
    await client.post(`/api/v1/runs/${id}/ingest`, `{"points": [${items.join(", ")}]}`, true);
    await client.post(`/api/v1/runs/${id}/status`, '{"status": "finished"}');
  });
  const huge = await client.register("bench", "big", "huge");
  const batches = Array.from({ length: Math.ceil(POINTS / BATCH) }, (_, b) => b);
  await pool(batches, 4, async (b) => {
    const count = Math.min(BATCH, POINTS - b * BATCH);
    await client.post(
      `/api/v1/runs/${huge}/ingest`,
      metricBody(
        "train/loss",
        b * BATCH,
        count,
        (s) => Math.exp(-s / POINTS) + 0.05 * Math.sin(s),
        (s) => START_S + Math.floor(s / 1000),
      ),
      true,
    );
  });
  for (let from = 0; from < STRINGS; from += BATCH) {
    const items: string[] = [];
    for (let step = from; step < Math.min(STRINGS, from + BATCH); step++)
      items.push(
        `{"path": "log/lines", "step": ${step}, "timestampMs": ${START_S * 1000}, "text": ${JSON.stringify(`[${step}] epoch=${step >> 10} loss=${(1 / (step + 1)).toFixed(6)}`)}}`,
      );
    await client.post(`/api/v1/runs/${huge}/ingest`, `{"points": [${items.join(", ")}]}`, true);
  }

  // 3. Let compaction finish, then measure bytes per point.
  const sql = new SQL(database, { max: 1 });
  const compactDeadline = performance.now() + 300_000;
  for (;;) {
    const [pending] =
      await sql`SELECT count(*) AS n FROM (SELECT series_id FROM metric_chunks WHERE compacted = 0 GROUP BY series_id HAVING count(*) >= 4) AS due`;
    if (Number(pending.n) === 0 || performance.now() > compactDeadline) break;
    await Bun.sleep(500);
  }
  // And the background upkeep: the huge series' overview, made once its run is quiet.
  for (;;) {
    const [kept] =
      await sql`SELECT count(*) AS n FROM series_overviews o JOIN series s ON s.id = o.series_id AND s.version = o.version JOIN runs r ON r.id = s.run_id WHERE r.run_id = 'huge'`;
    if (Number(kept.n) > 0 || performance.now() > compactDeadline) break;
    await Bun.sleep(200);
  }
  const isPostgres = /^postgres/.test(database);
  const [sizes] = isPostgres
    ? await sql`SELECT pg_total_relation_size('metric_chunks') AS total, (SELECT sum(octet_length(body)) FROM metric_chunks) AS bodies, (SELECT sum(point_count) FROM metric_chunks) AS points`
    : await sql`SELECT 0 AS total, (SELECT sum(length(body)) FROM metric_chunks) AS bodies, (SELECT sum(point_count) FROM metric_chunks) AS points`;
  const [hugePoints] =
    await sql`SELECT sum(c.point_count) AS n, sum(octet_length(c.body)) AS bytes, (SELECT sum(octet_length(o.body)) FROM series_overviews o JOIN series s ON s.id = o.series_id JOIN runs r ON r.id = s.run_id WHERE r.run_id = 'huge') AS overview FROM metric_chunks c JOIN series s ON s.id = c.series_id JOIN runs r ON r.id = s.run_id WHERE r.run_id = 'huge'`;
  await sql.close();

  // 4. Reads, on a fresh process (cold caches).
  await team.stop();
  team = await startTeam(database);
  const reader = new Client(team.base, key);
  const serve = await startServer(join(dir, "projects"));
  try {
    console.log(
      `\n${"figure".padEnd(40)} ${"goodseed server".padStart(16)} ${"goodseed serve".padStart(16)}   goal`,
    );
    row(
      "ingest, 8 uploaders, 5,000-point batches",
      `${Math.round(ingested / ingestS).toLocaleString("en-US")} pt/s`,
      "n/a (files)",
      ">= 150,000 points/s",
    );
    row("  p99 of a 5,000-point batch", fmt(percentile(latencies, 99)), "n/a", "< 200 ms");
    const fileBytes = statSync(join(dir, "projects/bench/big/runs/huge.sqlite")).size;
    row(
      "bytes per metric point (1M series)",
      (
        (Number(hugePoints.bytes) + Number(hugePoints.overview ?? 0)) /
        Number(hugePoints.n)
      ).toFixed(1),
      `${(fileBytes / POINTS).toFixed(1)} (file)`,
      "<= 20",
    );
    row(
      "  of which its overview",
      (Number(hugePoints.overview ?? 0) / Number(hugePoints.n)).toFixed(2),
      "",
      "",
    );
    if (isPostgres)
      row(
        "  all chunks incl. table+TOAST+index",
        (Number(sizes.total) / Number(sizes.points)).toFixed(1),
        "",
        `${Number(sizes.points).toLocaleString("en-US")} points, just after the bulk load`,
      );
    const teamView = `${team.base}/api/runs/bench/big/huge/metrics?path=train/loss&pointCount=1000`;
    const serveView = `${serve.base}/api/runs/bench/big/huge/metrics?path=train/loss&pointCount=1000`;
    row(
      "1M-point view, first",
      fmt(await timed(teamView, key)),
      fmt(await timed(serveView)),
      "< 150 ms",
    );
    row(
      "1M-point view, repeated (median)",
      fmt(await repeated(teamView, key)),
      fmt(await repeated(serveView)),
      "< 10 ms",
    );
    // A live poll: new points arrived since the last view.
    const polls: number[] = [];
    const servePolls: number[] = [];
    const file = new SqliteFile(join(dir, "projects/bench/big/runs/huge.sqlite"));
    for (let i = 0; i < 10; i++) {
      const step = POINTS + i * 10;
      // Read the answer, as a client does: a reply left unread keeps its connection
      // from being reused, and the poll would pay for a new one.
      await (
        await reader.post(
          `/api/v1/runs/${huge}/ingest`,
          metricBody(
            "train/loss",
            step,
            10,
            () => 0.5,
            () => START_S + 2000,
          ),
        )
      ).arrayBuffer();
      polls.push(await timed(teamView, key));
      for (let j = 0; j < 10; j++)
        file.run("INSERT INTO metric_points (series_id, step, y, ts) VALUES (1, ?, 0.5, ?)", [
          step + j,
          START_S + 2000,
        ]);
      servePolls.push(await timed(serveView));
    }
    file.close();
    row(
      "live poll after 10 new points (median)",
      fmt(median(polls)),
      fmt(median(servePolls)),
      "< 5 ms",
    );
    row(
      "/api/runs on 5,000 runs, first",
      fmt(await timed(`${team.base}/api/runs`, key)),
      fmt(await timed(`${serve.base}/api/runs`)),
      "< 1.5 s",
    );
    row(
      "/api/runs, cached (median)",
      fmt(await repeated(`${team.base}/api/runs`, key)),
      fmt(await repeated(`${serve.base}/api/runs`)),
      "< 20 ms",
    );
  } finally {
    await serve.stop();
    await team.stop();
  }
  // The chunks once the dead space the bulk load and its compaction left is reclaimed,
  // as autovacuum makes it reusable in a server that keeps running: measured with
  // VACUUM FULL after the reads (which saw the table as the load left it), with no
  // server connected.
  if (isPostgres) {
    const admin = new SQL(database, { max: 1 });
    await admin.unsafe("VACUUM FULL metric_chunks");
    const [after] = await admin`SELECT pg_total_relation_size('metric_chunks') AS total`;
    await admin.close();
    row(
      "all chunks incl. table+TOAST+index, reclaimed",
      (Number(after.total) / Number(sizes.points)).toFixed(1),
      "",
      "<= 20 (VACUUM FULL after the reads)",
    );
  }
} finally {
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
