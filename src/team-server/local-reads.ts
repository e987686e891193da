/**
 * The JSON API of `goodseed serve` (FORMAT.md §11) answered from the database:
 * projects and runs of the key's workspaces, configs, metrics (raw and downsampled
 * with the exact sequential sums, in memory), metric paths, string series and trash.
 * Bodies are the same bytes `goodseed serve` writes for the same runs.
 */

import type { SQL } from "bun";
import { decodeConfigForApi } from "../catalog/config-json.ts";
import { jsonNumber, jsonValue } from "../server/json.ts";
import { bucketize, bucketSize } from "../storage/downsample.ts";
import { isoFromMicros, isoFromSeconds } from "../values/time.ts";
import { ApiError } from "./api-error.ts";
import type { Columns } from "./chunk-codec.ts";
import { METRIC, STRING } from "./ingest.ts";
import type { Principal } from "./keys.ts";
import { utf8 } from "./registry.ts";
import { displayProject, parseProject } from "./run-names.ts";
import type { SeriesStore, SeriesTrace } from "./series-store.ts";
import { allows, catalogVersion, touchCatalog } from "./tenancy.ts";

const text = new TextDecoder("utf-8");
const decode = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : text.decode(bytes);

export interface ReadContext {
  readonly sql: SQL;
  readonly principal: Principal;
  readonly home: string;
  readonly series: SeriesStore;
}

function workspacesOf(principal: Principal): string[] {
  return [...principal.roles.keys()];
}

/** The local API's 404 for a run: `{"error": "Run not found: p/r"}`. */
export class LocalNotFound extends Error {
  readonly status = 404;
}

export async function projectsBody(context: ReadContext): Promise<string> {
  const rows =
    await context.sql`SELECT w.name AS workspace, p.name AS project, count(r.id) AS n, max(r.updated_ms) AS newest
    FROM runs r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
    WHERE w.name IN ${context.sql(workspacesOf(context.principal))}
    GROUP BY w.name, p.name`;
  const projects = rows
    .map((row: { workspace: string; project: string; n: number; newest: number }) => ({
      name: displayProject(context.home, row.workspace, row.project),
      run_count: Number(row.n),
      newest: Number(row.newest),
    }))
    .sort((a: { newest: number }, b: { newest: number }) => b.newest - a.newest);
  const items = projects.map((project: { name: string; run_count: number; newest: number }) => ({
    name: project.name,
    run_count: project.run_count,
    last_modified: isoFromMicros(Math.round(project.newest * 1000)),
  }));
  return JSON.stringify({ projects: items });
}

interface RunListEntry {
  version: number;
  bodies: Map<string, string>;
}

/** Run list bodies per workspace set and filter, valid while the catalog version holds. */
export class RunListCache {
  #entry: RunListEntry = { version: -1, bodies: new Map() };

  async body(context: ReadContext, project: string | undefined): Promise<string> {
    const version = await catalogVersion(context.sql);
    if (version !== this.#entry.version) this.#entry = { version, bodies: new Map() };
    const key = `${workspacesOf(context.principal).sort().join("\u0000")}\u0001${project ?? ""}`;
    const cached = this.#entry.bodies.get(key);
    if (cached !== undefined) return cached;
    const body = await runsBody(context, project);
    if (this.#entry.version === version) this.#entry.bodies.set(key, body);
    return body;
  }
}

async function runsBody(context: ReadContext, project: string | undefined): Promise<string> {
  const { sql } = context;
  let filter = sql`w.name IN ${sql(workspacesOf(context.principal))}`;
  if (project !== undefined) {
    const parts = parseProject(context.home, project);
    filter = sql`w.name = ${parts.workspace} AND p.name = ${parts.project} AND ${filter}`;
  }
  const runs =
    await sql`SELECT r.id, w.name AS workspace, p.name AS project, r.run_id, r.experiment_name, r.created_at, r.closed_at, r.status, r.trashed
    FROM runs r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id WHERE ${filter}`;
  const paths =
    await sql`SELECT s.run_id, s.kind, s.path FROM series s JOIN runs r ON r.id = s.run_id
    JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
    WHERE s.has_points = 1 AND ${filter} ORDER BY s.run_id, s.kind, s.path`;
  const byRun = new Map<number, { metric: string[]; string: string[] }>();
  for (const row of paths) {
    const id = Number(row.run_id);
    let entry = byRun.get(id);
    if (!entry) {
      entry = { metric: [], string: [] };
      byRun.set(id, entry);
    }
    (Number(row.kind) === METRIC ? entry.metric : entry.string).push(
      decode(new Uint8Array(row.path)) as string,
    );
  }
  const list = runs.map((row: Record<string, unknown>) => ({
    id: Number(row.id),
    summary: {
      project: displayProject(context.home, row.workspace as string, row.project as string),
      run_id: row.run_id,
      experiment_name: row.experiment_name ?? null,
      created_at: row.created_at ?? null,
      closed_at: row.closed_at ?? null,
      status: row.status ?? "unknown",
      trashed: Number(row.trashed) === 1,
      string_series_paths: byRun.get(Number(row.id))?.string ?? [],
      metric_paths: byRun.get(Number(row.id))?.metric ?? [],
    },
  }));
  list.sort(
    (
      a: { id: number; summary: { created_at: unknown } },
      b: { id: number; summary: { created_at: unknown } },
    ) => {
      const x = (a.summary.created_at as string | null) ?? "";
      const y = (b.summary.created_at as string | null) ?? "";
      return x < y ? 1 : x > y ? -1 : a.id - b.id;
    },
  );
  return JSON.stringify({ runs: list.map((entry: { summary: unknown }) => entry.summary) });
}

/** The run a local-API URL names, if the key may read it. */
export async function findRun(
  context: ReadContext,
  project: string,
  runId: string,
): Promise<number> {
  const parts = parseProject(context.home, project);
  const notFound = new LocalNotFound(`Run not found: ${project}/${runId}`);
  if (!allows(context.principal, parts.workspace, "read")) throw notFound;
  const [row] =
    await context.sql`SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
    WHERE w.name = ${parts.workspace} AND p.name = ${parts.project} AND r.run_id = ${runId}`;
  if (!row) throw notFound;
  return Number(row.id);
}

export async function configsBody(context: ReadContext, run: number): Promise<string> {
  const rows =
    await context.sql`SELECT path, type_tag, value FROM configs WHERE run_id = ${run} ORDER BY seq`;
  const parts: string[] = [];
  for (const row of rows) {
    const value = decodeConfigForApi(
      row.type_tag,
      decode(row.value === null ? null : new Uint8Array(row.value)),
    );
    parts.push(`${JSON.stringify(decode(new Uint8Array(row.path)))}: ${jsonValue(value)}`);
  }
  return `{"configs": {${parts.join(", ")}}}`;
}

async function seriesIds(
  context: ReadContext,
  run: number,
  kind: number,
  path?: string,
): Promise<{ id: number; path: string }[]> {
  const { sql } = context;
  const rows =
    path === undefined
      ? await sql`SELECT id, path FROM series WHERE run_id = ${run} AND kind = ${kind} AND has_points = 1 ORDER BY path`
      : await sql`SELECT id, path FROM series WHERE run_id = ${run} AND kind = ${kind} AND path = ${utf8(path)} AND has_points = 1`;
  return rows.map((row: { id: number; path: Uint8Array }) => ({
    id: Number(row.id),
    path: decode(new Uint8Array(row.path)) as string,
  }));
}

export async function metricPathsBody(context: ReadContext, run: number): Promise<string> {
  const paths = (await seriesIds(context, run, METRIC)).map((row) => row.path);
  return `{"paths": ${JSON.stringify(paths)}}`;
}

/** A string as JSON with every non-ASCII character escaped as `\\uXXXX`. */
function asciiJson(value: string): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const loggedAt = (tsMs: number) => `"${isoFromSeconds(Math.floor(tsMs / 1000))}"`;

function rawPoints(pathJson: string, columns: Columns, out: string[]): void {
  for (let i = 0; i < columns.length; i++)
    out.push(
      `{"path": ${pathJson}, "step": ${columns.steps[i]}, "value": ${jsonNumber(columns.ys[i] as number)}, "logged_at": ${loggedAt(columns.tsMs[i] as number)}}`,
    );
}

export async function rawMetricsBody(
  context: ReadContext,
  run: number,
  path: string | undefined,
  trace: SeriesTrace,
): Promise<string> {
  const out: string[] = [];
  // One series' path is written with non-ASCII escaped, all series' paths as they are:
  // the bytes `goodseed serve` writes.
  const quote = path === undefined ? JSON.stringify : asciiJson;
  for (const series of await seriesIds(context, run, METRIC, path))
    rawPoints(quote(series.path), await context.series.metric(context.sql, series.id, trace), out);
  return `{"metrics": [${out.join(", ")}]}`;
}

export interface DownsampleRequest {
  readonly path: string;
  readonly pointCount: number;
  readonly first: number | undefined;
  readonly last: number | undefined;
}

export async function downsampledBody(
  context: ReadContext,
  run: number,
  request: DownsampleRequest,
  trace: SeriesTrace,
): Promise<string> {
  const [series] = await seriesIds(context, run, METRIC, request.path);
  const columns = series ? await context.series.metric(context.sql, series.id, trace) : undefined;
  const total = columns?.length ?? 0;
  const envelope = (points: string[], f: number, l: number, downsampled: boolean) =>
    `{"points": [${points.join(", ")}], "firstPointIndex": ${f}, "lastPointIndex": ${l}, "totalCount": ${total}, "downsampled": ${downsampled}}`;
  if (columns === undefined || total === 0) return envelope([], 0, 0, false);
  const f = request.first === undefined ? 0 : Math.max(0, request.first);
  const l = request.last === undefined ? total - 1 : Math.min(total - 1, request.last);
  if (f > l) return envelope([], f, l, false);
  const { steps, ys, tsMs } = columns;
  const count = l - f + 1;
  const pathJson = JSON.stringify(request.path);
  const raw = (i: number) => {
    const y = jsonNumber(ys[i] as number);
    return `{"path": ${pathJson}, "step": ${steps[i]}, "value": ${y}, "minY": ${y}, "maxY": ${y}, "downsampled": false, "logged_at": ${loggedAt(tsMs[i] as number)}}`;
  };
  if (count <= request.pointCount) {
    const points: string[] = [];
    for (let i = f; i <= l; i++) points.push(raw(i));
    return envelope(points, f, l, false);
  }
  const rows = { steps, ys, ts: tsMs, length: columns.length };
  const buckets = bucketize(rows, f, l + 1, bucketSize(count, request.pointCount));
  const points = buckets.map(
    (bucket) =>
      `{"path": ${pathJson}, "step": ${bucket.step}, "value": ${jsonNumber(bucket.value)}, "minY": ${jsonNumber(bucket.minY)}, "maxY": ${jsonNumber(bucket.maxY)}, "downsampled": true, "logged_at": ${loggedAt(bucket.ts)}}`,
  );
  if ((buckets[0] as { step: number }).step !== steps[f]) points.unshift(raw(f));
  if ((buckets[buckets.length - 1] as { step: number }).step !== steps[l]) points.push(raw(l));
  return envelope(points, f, l, true);
}

export interface StringRequest {
  readonly path: string | undefined;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly tail: number | undefined;
}

export async function stringSeriesBody(
  context: ReadContext,
  run: number,
  request: StringRequest,
): Promise<string> {
  const { sql } = context;
  const series = await seriesIds(context, run, STRING, request.path);
  if (series.length === 0) return '{"string_series": [], "total": 0}';
  const ids = series.map((row) => row.id);
  const pathOf = new Map(series.map((row) => [row.id, row.path]));
  const [counted] =
    await sql`SELECT count(*) AS n FROM string_points WHERE series_id IN ${sql(ids)}`;
  const total = Number(counted.n);
  // Series ids are in path order (the query above sorted them), so ordering by the
  // position of a row's series in that list orders by path bytes, then step.
  const rank = sql.unsafe(
    `CASE series_id ${ids.map((id, i) => `WHEN ${Number(id)} THEN ${i}`).join(" ")} END`,
  );
  let rows: { series_id: number; step: number; ts_ms: number; value: Uint8Array }[];
  if (request.tail !== undefined) {
    // A negative tail is no limit, as SQLite's LIMIT -1 is for `goodseed serve`.
    rows =
      request.tail < 0
        ? await sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank}, step`
        : (
            await sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank} DESC, step DESC LIMIT ${request.tail}`
          ).reverse();
  } else if (request.limit !== undefined && request.limit >= 0) {
    const offset = Math.max(0, request.offset ?? 0);
    rows =
      await sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank}, step LIMIT ${request.limit} OFFSET ${offset}`;
  } else if (request.limit !== undefined) {
    const offset = Math.max(0, request.offset ?? 0);
    rows = (
      await sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank}, step`
    ).slice(offset);
  } else {
    rows =
      await sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank}, step`;
  }
  const parts = rows.map(
    (row) =>
      `{"path": ${JSON.stringify(pathOf.get(Number(row.series_id)))}, "step": ${Number(row.step)}, "value": ${JSON.stringify(decode(new Uint8Array(row.value)))}, "logged_at": ${loggedAt(Number(row.ts_ms))}}`,
  );
  return `{"string_series": [${parts.join(", ")}], "total": ${total}}`;
}

export async function setTrashed(
  context: ReadContext,
  project: string,
  runId: string,
  trashed: boolean,
): Promise<void> {
  const run = await findRun(context, project, runId);
  const parts = parseProject(context.home, project);
  if (!allows(context.principal, parts.workspace, "write"))
    throw new ApiError(
      403,
      "Workspace.Forbidden",
      `the key's role in workspace '${parts.workspace}' does not allow trashing runs`,
    );
  await context.sql.begin(async (tx) => {
    await tx`UPDATE runs SET trashed = ${trashed ? 1 : 0} WHERE id = ${run}`;
    await touchCatalog(tx);
  });
}
