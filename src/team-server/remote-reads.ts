/**
 * The read calls of the remote protocol (FORMAT.md §12) in the shapes both clients
 * parse: a run with its configs, its paths, metric data (raw or bucketed), string
 * data, and the workspace helpers as bare JSON lists.
 */

import type { SQL } from "bun";
import { jsonValue } from "../server/json.ts";
import { bucketize, bucketSize } from "../storage/downsample.ts";
import { ApiError, badRequest } from "./api-error.ts";
import { METRIC, STRING } from "./ingest.ts";
import type { Principal } from "./keys.ts";
import type { WriteOptions } from "./registry.ts";
import type { SeriesStore } from "./series-store.ts";
import { requireWorkspace, runById } from "./tenancy.ts";
import { fromUtf8, utf8 } from "./utf8.ts";

function numberParam(query: Map<string, string>, name: string): number | undefined {
  const value = query.get(name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number))
    throw badRequest("Request.BadParameter", `'${name}' must be a number`);
  return number;
}

export async function runBody(sql: SQL, principal: Principal, remoteId: string): Promise<string> {
  const run = await runById(sql, principal, remoteId, "read");
  const [row] =
    await sql`SELECT experiment_name, created_at, closed_at, status, trashed FROM runs WHERE id = ${run.id}`;
  const configs =
    await sql`SELECT path, type_tag, value, updated_at FROM configs WHERE run_id = ${run.id} ORDER BY seq`;
  return jsonValue({
    id: String(run.id),
    workspace: run.workspace,
    project: run.project,
    run_id: run.runId,
    experiment_name: row.experiment_name ?? null,
    status: row.status ?? null,
    created_at: row.created_at ?? null,
    closed_at: row.closed_at ?? null,
    trashed: Number(row.trashed) === 1,
    configs: configs.map((config: Record<string, unknown>) => ({
      path: fromUtf8(config.path),
      type_tag: config.type_tag,
      value: config.value === null ? null : fromUtf8(config.value),
      updated_at: config.updated_at,
    })),
  });
}

export async function pathsBody(sql: SQL, principal: Principal, remoteId: string): Promise<string> {
  const run = await runById(sql, principal, remoteId, "read");
  const rows =
    await sql`SELECT kind, path FROM series WHERE run_id = ${run.id} AND has_points = 1 ORDER BY kind, path`;
  return jsonValue(
    rows.map((row: { kind: number; path: unknown }) => ({
      path: fromUtf8(row.path),
      type: Number(row.kind) === METRIC ? "metric" : "string",
    })),
  );
}

async function seriesId(
  sql: SQL,
  run: number,
  kind: number,
  path: string,
): Promise<number | undefined> {
  const [row] =
    await sql`SELECT id FROM series WHERE run_id = ${run} AND kind = ${kind} AND path = ${utf8(path)}`;
  return row ? Number(row.id) : undefined;
}

export async function metricDataBody(
  sql: SQL,
  principal: Principal,
  remoteId: string,
  query: Map<string, string>,
  store: SeriesStore,
): Promise<string> {
  const run = await runById(sql, principal, remoteId, "read");
  const path = query.get("path");
  if (path === undefined) throw badRequest("Request.MissingParameter", "'path' is required");
  const stepMin = numberParam(query, "step_min");
  const stepMax = numberParam(query, "step_max");
  const maxPoints = numberParam(query, "max_points");
  const id = await seriesId(sql, run.id, METRIC, path);
  const columns = id === undefined ? undefined : await store.metricColumns(sql, id);
  let from = 0;
  let to = columns?.length ?? 0;
  if (columns) {
    while (from < to && stepMin !== undefined && (columns.steps[from] as number) < stepMin) from++;
    while (to > from && stepMax !== undefined && (columns.steps[to - 1] as number) > stepMax) to--;
  }
  const count = to - from;
  if (!columns || maxPoints === undefined || maxPoints < 1 || count <= maxPoints) {
    const raw = [];
    for (let i = from; i < to; i++)
      raw.push({ step: columns?.steps[i], y: columns?.ys[i], timestampMs: columns?.tsMs[i] });
    return jsonValue({ path, downsampled: false, raw_points: raw });
  }
  const k = bucketSize(count, Math.floor(maxPoints));
  const rows = { steps: columns.steps, ys: columns.ys, ts: columns.tsMs, length: columns.length };
  const buckets = bucketize(rows, from, to, k).map((bucket, b) => ({
    step: bucket.step,
    y: bucket.value,
    yMin: bucket.minY,
    yMax: bucket.maxY,
    stepMin: columns.steps[from + b * k],
    stepMax: columns.steps[from + b * k + bucket.count - 1],
    count: bucket.count,
  }));
  return jsonValue({ path, downsampled: true, buckets });
}

export async function stringDataBody(
  sql: SQL,
  principal: Principal,
  remoteId: string,
  query: Map<string, string>,
): Promise<string> {
  const run = await runById(sql, principal, remoteId, "read");
  const path = query.get("path");
  if (path === undefined) throw badRequest("Request.MissingParameter", "'path' is required");
  const limit = numberParam(query, "limit");
  const offset = Math.max(0, Math.floor(numberParam(query, "offset") ?? 0));
  const id = await seriesId(sql, run.id, STRING, path);
  if (id === undefined) return '{"points": [], "total": 0}';
  const [counted] = await sql`SELECT count(*) AS n FROM string_points WHERE series_id = ${id}`;
  const rows =
    limit === undefined || limit < 0
      ? await sql`SELECT step, ts_ms, value FROM string_points WHERE series_id = ${id} ORDER BY step`
      : await sql`SELECT step, ts_ms, value FROM string_points WHERE series_id = ${id} ORDER BY step LIMIT ${Math.floor(limit)} OFFSET ${offset}`;
  const points = rows.map((row: { step: number; ts_ms: number; value: unknown }) => ({
    step: Number(row.step),
    value: fromUtf8(row.value),
    timestampMs: Number(row.ts_ms),
  }));
  return jsonValue({ points, total: Number(counted.n) });
}

export function meBody(principal: Principal): string {
  return jsonValue({
    name: principal.defaultWorkspace,
    key: principal.name,
    workspaces: [...principal.roles].map(([name, role]) => ({ name, role })),
  });
}

export function workspacesBody(principal: Principal): string {
  return jsonValue(
    [...principal.roles]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, role]) => ({ name, role })),
  );
}

export async function projectsListBody(
  sql: SQL,
  principal: Principal,
  workspace: string,
): Promise<string> {
  requireWorkspace(principal, workspace, "read");
  const rows =
    await sql`SELECT p.name, p.created_at, count(r.id) AS n FROM projects p JOIN workspaces w ON w.id = p.workspace_id
    LEFT JOIN runs r ON r.project_id = p.id WHERE w.name = ${workspace} GROUP BY p.name, p.created_at ORDER BY p.name`;
  return jsonValue(
    rows.map((row: { name: string; created_at: string; n: number }) => ({
      name: row.name,
      workspace,
      created_at: row.created_at,
      run_count: Number(row.n),
    })),
  );
}

export async function createProject(
  sql: SQL,
  principal: Principal,
  workspace: string,
  body: unknown,
): Promise<string> {
  requireWorkspace(principal, workspace, "write");
  const name = (body as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name === "" || name.length > 200 || name.includes("\u0000"))
    throw badRequest("Request.WrongType", "'name' must be a non-empty string");
  const now = new Date().toISOString();
  await sql`INSERT INTO projects (workspace_id, name, created_at) SELECT id, ${name}, ${now} FROM workspaces WHERE name = ${workspace}
    ON CONFLICT (workspace_id, name) DO NOTHING`;
  return jsonValue({ name, workspace });
}

export async function projectRunsBody(
  sql: SQL,
  principal: Principal,
  workspace: string,
  project: string,
): Promise<string> {
  requireWorkspace(principal, workspace, "read");
  const rows =
    await sql`SELECT r.id, r.run_id, r.experiment_name, r.status, r.created_at, r.closed_at, r.trashed
    FROM runs r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
    WHERE w.name = ${workspace} AND p.name = ${project} ORDER BY r.id`;
  const [exists] =
    await sql`SELECT p.id FROM projects p JOIN workspaces w ON w.id = p.workspace_id WHERE w.name = ${workspace} AND p.name = ${project}`;
  if (!exists)
    throw new ApiError(404, "Project.NotFound", `project '${workspace}/${project}' not found`);
  return jsonValue(
    rows.map((row: Record<string, unknown>) => ({
      id: String(row.id),
      run_id: row.run_id,
      experiment_name: row.experiment_name ?? null,
      status: row.status ?? null,
      created_at: row.created_at ?? null,
      closed_at: row.closed_at ?? null,
      trashed: Number(row.trashed) === 1,
    })),
  );
}

export type { WriteOptions };
