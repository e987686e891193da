/**
 * Runs and their configs over the remote protocol: register (create-or-get on
 * workspace, project and run id), configs (upsert by path, write order kept), the
 * final status and the heartbeat. Each call is one transaction.
 */

import type { SQL } from "bun";
import { nowIso } from "../values/time.ts";
import { ApiError, badRequest } from "./api-error.ts";
import type { Principal } from "./keys.ts";
import { workspaceProblem } from "./keys.ts";
import { allows, requireWorkspace, runById, touchCatalog } from "./tenancy.ts";
import { fromUtf8, utf8 } from "./utf8.ts";

export interface WriteOptions {
  /** Create a project on its first upload; otherwise 404 Project.NotFound. @default true */
  readonly createProjects: boolean;
}

function field(body: Record<string, unknown>, name: string, required: boolean): string | null {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw badRequest("Request.MissingField", `'${name}' is required`);
    return null;
  }
  if (typeof value !== "string")
    throw badRequest("Request.WrongType", `'${name}' must be a string`);
  if (value.includes("\u0000"))
    throw badRequest("Request.WrongType", `'${name}' must not contain U+0000`);
  return value;
}

function object(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("Request.WrongType", `${what} must be a JSON object`);
  return body as Record<string, unknown>;
}

/** Create-or-get: returns the remote run id. */
export async function registerRun(
  sql: SQL,
  principal: Principal,
  raw: unknown,
  options: WriteOptions,
): Promise<string> {
  const body = object(raw, "the body");
  const workspace = field(body, "workspace", true) as string;
  const project = field(body, "project", true) as string;
  const runId = field(body, "run_id", true) as string;
  const name = field(body, "experiment_name", false);
  const createdAt = field(body, "created_at", false);
  const modifiedAt = field(body, "modified_at", false);
  const closedAt = field(body, "closed_at", false);
  if (workspaceProblem(workspace) !== undefined || !principal.roles.has(workspace))
    throw new ApiError(
      403,
      "Workspace.Forbidden",
      `the key has no access to workspace '${workspace}'`,
    );
  if (project === "" || project.length > 200)
    throw badRequest("Request.WrongType", "'project' must be 1-200 characters");
  if (runId === "" || runId.length > 200)
    throw badRequest("Request.WrongType", "'run_id' must be 1-200 characters");
  if (!allows(principal, workspace, "write")) {
    // A read-only run (the Python client's `Run(read_only=True)`) registers to learn the
    // remote id: a viewer gets an existing run's id, and nothing is created or changed.
    const [existing] = await sql`SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id
      JOIN workspaces w ON w.id = p.workspace_id
      WHERE w.name = ${workspace} AND p.name = ${project} AND r.run_id = ${runId}`;
    if (existing) return String(existing.id);
  }
  requireWorkspace(principal, workspace, "write");
  const now = new Date().toISOString();
  return sql.begin(async (tx) => {
    const [ws] = await tx`SELECT id FROM workspaces WHERE name = ${workspace}`;
    let [proj] =
      await tx`SELECT id FROM projects WHERE workspace_id = ${ws.id} AND name = ${project}`;
    if (!proj) {
      if (!options.createProjects)
        throw new ApiError(
          404,
          "Project.NotFound",
          `project '${workspace}/${project}' not found; an owner creates it with POST /api/v1/workspaces/${workspace}/projects`,
        );
      await tx`INSERT INTO projects (workspace_id, name, created_at) VALUES (${ws.id}, ${project}, ${now}) ON CONFLICT (workspace_id, name) DO NOTHING`;
      [proj] =
        await tx`SELECT id FROM projects WHERE workspace_id = ${ws.id} AND name = ${project}`;
    }
    const inserted =
      await tx`INSERT INTO runs (project_id, run_id, experiment_name, created_at, modified_at, closed_at, status, registered_at, updated_ms)
      VALUES (${proj.id}, ${runId}, ${name}, ${createdAt ?? nowIso()}, ${modifiedAt}, ${closedAt}, ${"running"}, ${now}, ${Date.now()})
      ON CONFLICT (project_id, run_id) DO NOTHING RETURNING id`;
    if (inserted.length > 0) {
      await touchCatalog(tx);
      return String(inserted[0].id);
    }
    const [run] =
      await tx`SELECT id, experiment_name, created_at, closed_at, renamed_at FROM runs WHERE project_id = ${proj.id} AND run_id = ${runId}`;
    // A second registration (a resumed run, a retried upload) fills in what it knows; a
    // name given in the web UI since (renamed_at) is newer than the one it carries.
    const keepName = run.renamed_at !== null;
    const changed =
      (name !== null && !keepName && name !== run.experiment_name) ||
      (createdAt !== null && createdAt !== run.created_at) ||
      (closedAt !== null && closedAt !== run.closed_at);
    if (changed) {
      await tx`UPDATE runs SET experiment_name = ${keepName ? run.experiment_name : (name ?? run.experiment_name)}, created_at = ${createdAt ?? run.created_at},
        closed_at = ${closedAt ?? run.closed_at}, modified_at = ${modifiedAt} WHERE id = ${run.id}`;
      await touchCatalog(tx);
    }
    return String(run.id);
  });
}

export interface Rejected {
  readonly index: number;
  readonly error: string;
}

/** Upserts configs; items that are not `{path, type_tag, value}` are left out and reported. */
export async function writeConfigs(
  sql: SQL,
  principal: Principal,
  remoteId: string,
  raw: unknown,
): Promise<Rejected[]> {
  const body = object(raw, "the body");
  if (!Array.isArray(body.configs))
    throw badRequest("Request.WrongType", "'configs' must be a list");
  const rejected: Rejected[] = [];
  const rows = new Map<string, { path: Uint8Array; tag: string; value: Uint8Array | null }>();
  body.configs.forEach((item: unknown, index: number) => {
    const config = item as Record<string, unknown>;
    if (typeof item !== "object" || item === null) rejected.push({ index, error: "not an object" });
    else if (typeof config.path !== "string" || config.path === "")
      rejected.push({ index, error: "'path' must be a non-empty string" });
    else if (typeof config.type_tag !== "string")
      rejected.push({ index, error: "'type_tag' must be a string" });
    else if (config.value !== null && typeof config.value !== "string")
      rejected.push({ index, error: "'value' must be a string or null" });
    else {
      rows.delete(config.path);
      rows.set(config.path, {
        path: utf8(config.path),
        tag: config.type_tag,
        value: config.value === null ? null : utf8(config.value as string),
      });
    }
  });
  await sql.begin(async (tx) => {
    const run = await runById(tx, principal, remoteId, "write");
    if (rows.size === 0) return;
    const [counter] =
      await tx`UPDATE runs SET config_seq = config_seq + ${rows.size}, updated_ms = ${Date.now()} WHERE id = ${run.id} RETURNING config_seq`;
    let seq = Number(counter.config_seq) - rows.size;
    const now = new Date().toISOString();
    for (const row of rows.values()) {
      seq++;
      await tx`INSERT INTO configs (run_id, path, type_tag, value, updated_at, seq) VALUES (${run.id}, ${row.path}, ${row.tag}, ${row.value}, ${now}, ${seq})
        ON CONFLICT (run_id, path) DO UPDATE SET type_tag = excluded.type_tag, value = excluded.value, updated_at = excluded.updated_at, seq = excluded.seq`;
    }
  });
  return rejected;
}

const STATUSES = new Set(["running", "finished", "failed"]);

/**
 * When the run was closed, by its own clock: the Python client's status call carries no
 * `closed_at` (FORMAT.md §12), and `goodseed upload` may send it days after the run
 * ended, but its close wrote `sys/closed_time` (uploaded before the status) a few
 * microseconds after the file's `closed_at`.
 */
async function closedTime(tx: SQL, runId: number): Promise<string | undefined> {
  const [row] =
    await tx`SELECT type_tag, value FROM configs WHERE run_id = ${runId} AND path = ${utf8("sys/closed_time")}`;
  if (row?.type_tag !== "str" || row.value === null) return undefined;
  const value = fromUtf8(row.value);
  return /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** The run's status; `finished`/`failed` also close it (at `closed_at` when given). */
export async function writeStatus(
  sql: SQL,
  principal: Principal,
  remoteId: string,
  raw: unknown,
): Promise<void> {
  const body = object(raw, "the body");
  const status = field(body, "status", true) as string;
  if (!STATUSES.has(status))
    throw badRequest("Request.WrongType", "'status' must be running, finished or failed");
  const closedAt = field(body, "closed_at", false);
  await sql.begin(async (tx) => {
    const run = await runById(tx, principal, remoteId, "write");
    const closing = status !== "running";
    if (closing)
      await tx`UPDATE runs SET status = ${status}, closed_at = ${closedAt ?? (await closedTime(tx, run.id)) ?? nowIso()}, updated_ms = ${Date.now()} WHERE id = ${run.id}`;
    else
      await tx`UPDATE runs SET status = ${status}, updated_ms = ${Date.now()} WHERE id = ${run.id}`;
    await touchCatalog(tx);
  });
}

export async function writeHeartbeat(
  sql: SQL,
  principal: Principal,
  remoteId: string,
): Promise<void> {
  const run = await runById(sql, principal, remoteId, "write");
  await sql`UPDATE runs SET heartbeat_ms = ${Date.now()} WHERE id = ${run.id}`;
}
