/**
 * The team server on both of its databases: each test file runs its cases on the
 * embedded SQLite default and on a throw-away PostgreSQL cluster (a fresh database per
 * server). Keys are made through the keys module, as `goodseed server keys create` does.
 */

import { afterAll } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/team-server/database.ts";
import { createKey, type Role } from "../../src/team-server/keys.ts";
import { migrate } from "../../src/team-server/migrations.ts";
import {
  startTeamServer,
  type TeamServer,
  type TeamServerOptions,
} from "../../src/team-server/server.ts";
import { type PgCluster, startPostgres } from "./postgres.ts";
import { REPO_ROOT, tempDir } from "./temp-dir.ts";

export type Backend = "sqlite" | "postgres";
export const BACKENDS: readonly Backend[] = ["sqlite", "postgres"];

// One cluster per test file: each file calls useTeamServers() at its top level, which
// stops the cluster and removes the temp dirs after the file's tests.
let cluster: Promise<PgCluster> | undefined;
const dirs: { [Symbol.dispose](): void }[] = [];

export function useTeamServers(): void {
  afterAll(async () => {
    const running = cluster;
    cluster = undefined;
    if (running) (await running).stop();
    for (const dir of dirs.splice(0)) dir[Symbol.dispose]();
  });
}

export function postgresCluster(): Promise<PgCluster> {
  cluster ??= startPostgres();
  return cluster;
}

/** A new empty database of that kind: its URL. */
export async function freshDatabase(backend: Backend): Promise<string> {
  if (backend === "postgres") return (await postgresCluster()).createDatabase();
  const dir = tempDir("goodseed-team-");
  dirs.push(dir);
  return `sqlite://${join(dir.path, "server.sqlite")}`;
}

export async function keyFor(
  url: string,
  workspaces: string[],
  role: Role = "member",
  name = "test",
): Promise<string> {
  const db = await openDatabase(url);
  try {
    await migrate(db);
    return (await createKey(db, { name, workspaces, role })).key;
  } finally {
    await db.close();
  }
}

export interface TeamFixture {
  readonly server: TeamServer;
  readonly url: string;
  readonly base: string;
  readonly databaseUrl: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function teamServer(
  backend: Backend,
  options: Partial<TeamServerOptions> = {},
  databaseUrl?: string,
): Promise<TeamFixture> {
  const url = databaseUrl ?? (await freshDatabase(backend));
  const server = await startTeamServer({ databaseUrl: url, port: 0, ...options });
  return {
    server,
    url: server.url,
    base: server.url.replace(/\/$/, ""),
    databaseUrl: url,
    [Symbol.asyncDispose]: () => server.stop(),
  };
}

/** Registers run `runId` (in workspace acme, project p unless told) and returns its id. */
export async function registerRun(
  base: string,
  key: string,
  runId: string,
  where: { readonly workspace?: string; readonly project?: string } = {},
): Promise<string> {
  const answer = await call(base, key, "POST", "/api/v1/runs", {
    workspace: where.workspace ?? "acme",
    project: where.project ?? "p",
    run_id: runId,
    experiment_name: null,
  });
  if (answer.status !== 200) throw new Error(`registration: HTTP ${answer.status} ${answer.text}`);
  return (answer.json as { id: string }).id;
}

/** Uploads points (each a JSON object's text) to run `id`; throws unless answered 200. */
export async function ingestPoints(
  base: string,
  key: string,
  id: string,
  points: readonly string[],
): Promise<void> {
  const answer = await call(
    base,
    key,
    "POST",
    `/api/v1/runs/${id}/ingest`,
    `{"points": [${points.join(", ")}]}`,
  );
  if (answer.status !== 200) throw new Error(`ingest: HTTP ${answer.status} ${answer.text}`);
}

/** A JSON request with a key. */
export async function call(
  base: string,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string; json: unknown; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

/** `goodseed server` as its own process on a free port; resolves once /health answers. */
export async function spawnServer(
  databaseUrl: string,
  extra: string[] = [],
): Promise<{
  base: string;
  process: Bun.Subprocess;
  output(): string;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const { freePort } = await import("./server.ts");
  const { REPO_ROOT } = await import("./temp-dir.ts");
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;
  const child = Bun.spawn(
    [
      process.execPath,
      join(REPO_ROOT, "bin/goodseed.ts"),
      "server",
      "--database",
      databaseUrl,
      "--port",
      String(port),
      ...extra,
    ],
    { env, stdout: "pipe", stderr: "pipe" },
  );
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += new TextDecoder().decode(chunk);
  };
  void drain(child.stdout);
  void drain(child.stderr);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`goodseed server exited ${child.exitCode}: ${output}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`goodseed server did not answer /health: ${output}`);
    }
    await Bun.sleep(50);
  }
  return {
    base,
    process: child,
    output: () => output,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

export interface UploadOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `goodseed upload -p project` of `home` to `base` with `key`, in its own process, with no other goodseed setting. */
export async function runUpload(
  home: string,
  base: string,
  key: string,
  project: string,
): Promise<UploadOutcome> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;
  const child = Bun.spawn(
    [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", project],
    {
      env: { ...env, GOODSEED_HOME: home, GOODSEED_API_URL: base, GOODSEED_API_KEY: key },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}
