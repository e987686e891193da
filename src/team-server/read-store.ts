/**
 * The storage seam of the read API (`ReadStore`) over the team server's database, seen
 * through one key: only the runs of the key's workspaces exist for it. `goodseed serve`'s
 * own routes and bodies run on top, so both servers answer the same bytes.
 */

import type { SQL } from "bun";
import type {
  DownsampleRange,
  ReadStore,
  RunHandle,
  SeriesColumns,
  SeriesTrace,
  StoredConfigValue,
  StringPage,
  StringPageQuery,
  StringRow,
  Versioned,
  WriterLiveness,
} from "../api/read-store.ts";
import type { ProjectSummary, RunSummary } from "../api/wire.ts";
import { decodeConfigForApi } from "../catalog/config-json.ts";
import { HEARTBEAT_STALE_MS } from "../run/liveness.ts";
import { HttpError } from "../server/http-error.ts";
import { isoFromMicros } from "../values/time.ts";
import { METRIC, STRING } from "./ingest.ts";
import type { Principal } from "./keys.ts";
import { RunLookup } from "./run-lookup.ts";
import { displayProject, parseProject } from "./run-names.ts";
import { type RunSummaries, readRunSummaries } from "./run-summaries.ts";
import type { SeriesStore } from "./series-store.ts";
import { allows, touchCatalog } from "./tenancy.ts";
import { fromUtf8, utf8 } from "./utf8.ts";
import { judgeUploads } from "./writer-liveness.ts";

/** A run as this store hands it out: its row id and workspace ride along. */
export interface DbRunHandle extends RunHandle {
  readonly id: number;
  readonly workspace: string;
  /** Versions of the run's series that this process holds, read with the run. */
  readonly seriesVersions: ReadonlyMap<number, number>;
}

export interface DatabaseReadStoreOptions {
  readonly sql: SQL;
  readonly principal: Principal;
  /** Workspace whose projects keep bare names. */
  readonly home: string;
  readonly series: SeriesStore;
  readonly summaries: RunSummaries;
  /**
   * A `running` run whose last heartbeat (or, without one, last upload) is older than
   * this is answered dead by {@link DatabaseReadStore.liveness}. @default HEARTBEAT_STALE_MS (60 s)
   */
  readonly writerStaleMs?: number | undefined;
  /** Called by {@link DatabaseReadStore.close}. @default nothing: the server owns the database */
  readonly onClose?: () => Promise<void>;
}

export class DatabaseReadStore implements ReadStore {
  readonly #sql: SQL;
  readonly #principal: Principal;
  readonly #home: string;
  readonly #series: SeriesStore;
  readonly #summaries: RunSummaries;
  readonly #workspaces: string[];
  readonly #onClose: (() => Promise<void>) | undefined;
  readonly #staleMs: number;
  readonly #runs = new RunLookup();

  constructor(options: DatabaseReadStoreOptions) {
    this.#sql = options.sql;
    this.#principal = options.principal;
    this.#home = options.home;
    this.#series = options.series;
    this.#summaries = options.summaries;
    this.#workspaces = [...options.principal.roles.keys()].sort();
    this.#onClose = options.onClose;
    this.#staleMs = options.writerStaleMs ?? HEARTBEAT_STALE_MS;
  }

  async projects(): Promise<Versioned<readonly ProjectSummary[]>> {
    const sql = this.#sql;
    const rows =
      await sql`SELECT w.name AS workspace, p.name AS project, count(r.id) AS n, max(r.updated_ms) AS newest
      FROM runs r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
      WHERE w.name IN ${sql(this.#workspaces)} GROUP BY w.name, p.name`;
    const projects = (rows as { workspace: string; project: string; n: number; newest: number }[])
      .map((row) => ({
        name: displayProject(this.#home, row.workspace, row.project),
        run_count: Number(row.n),
        newest: Number(row.newest),
      }))
      .sort((a, b) => b.newest - a.newest);
    const value = projects.map((project) => ({
      name: project.name,
      run_count: project.run_count,
      last_modified: isoFromMicros(Math.round(project.newest * 1000)),
    }));
    return { version: JSON.stringify(value), value };
  }

  runs(project: string | undefined): Promise<Versioned<readonly RunSummary[]>> {
    const key = `${this.#workspaces.join("\u0000")}\u0001${project ?? "\u0002"}`;
    return this.#summaries.get(this.#sql, key, () =>
      readRunSummaries(this.#sql, this.#home, this.#workspaces, project),
    );
  }

  async run(project: string, runId: string): Promise<RunHandle | undefined> {
    const parts = parseProject(this.#home, project);
    if (!allows(this.#principal, parts.workspace, "read")) return undefined;
    const found = await this.#runs.find(
      this.#sql,
      this.#series,
      { ...parts, runId },
      this.#principal.id,
    );
    if (!found) return undefined;
    const { row, seriesVersions } = found;
    const handle: DbRunHandle = {
      project,
      runId,
      version: `${row.id}:${row.updated_ms}:${row.trashed}`,
      id: Number(row.id),
      workspace: parts.workspace,
      seriesVersions,
    };
    return handle;
  }

  async liveness(run: RunHandle): Promise<WriterLiveness> {
    const [row] = await this
      .#sql`SELECT status, heartbeat_ms, updated_ms FROM runs WHERE id = ${(run as DbRunHandle).id}`;
    const status = (row?.status as string | null | undefined) ?? "unknown";
    if (status !== "running")
      return { state: "unknown", status, reason: `the run is not running (status: ${status})` };
    return judgeUploads(
      row.heartbeat_ms === null ? undefined : Number(row.heartbeat_ms),
      Number(row.updated_ms),
      Date.now(),
      this.#staleMs,
    );
  }

  async configs(run: RunHandle): Promise<ReadonlyMap<string, StoredConfigValue>> {
    const rows = await this
      .#sql`SELECT path, type_tag, value FROM configs WHERE run_id = ${(run as DbRunHandle).id} ORDER BY seq`;
    const configs = new Map<string, StoredConfigValue>();
    for (const row of rows)
      configs.set(
        fromUtf8(row.path),
        decodeConfigForApi(row.type_tag, row.value === null ? null : fromUtf8(row.value)),
      );
    return configs;
  }

  async #seriesOf(
    run: RunHandle,
    kind: number,
    path?: string,
  ): Promise<{ id: number; path: string; version: number }[]> {
    const sql = this.#sql;
    const id = (run as DbRunHandle).id;
    const rows =
      path === undefined
        ? await sql`SELECT id, path, version FROM series WHERE run_id = ${id} AND kind = ${kind} AND has_points = 1 ORDER BY path`
        : await sql`SELECT id, path, version FROM series WHERE run_id = ${id} AND kind = ${kind} AND path = ${utf8(path)} AND has_points = 1`;
    return (rows as { id: number; path: unknown; version: number }[]).map((row) => ({
      id: Number(row.id),
      path: fromUtf8(row.path),
      version: Number(row.version),
    }));
  }

  async metricPaths(run: RunHandle): Promise<readonly string[]> {
    return (await this.#seriesOf(run, METRIC)).map((series) => series.path);
  }

  async metricSeries(
    run: RunHandle,
    path: string,
    trace?: SeriesTrace,
  ): Promise<SeriesColumns | undefined> {
    const handle = run as DbRunHandle;
    const id = handle.id;
    const bytes = utf8(path);
    const seriesId = this.#series.idOf(id, bytes);
    const version = seriesId === undefined ? undefined : handle.seriesVersions.get(seriesId);
    if (seriesId !== undefined && version !== undefined)
      return this.#series.metric(this.#sql, seriesId, trace, version);
    const [series] = await this.#seriesOf(run, METRIC, path);
    if (!series) return undefined;
    this.#series.remember(id, bytes, series.id);
    return this.#series.metric(this.#sql, series.id, trace, series.version);
  }

  async downsampledSeries(
    run: RunHandle,
    path: string,
    request: DownsampleRange,
    trace?: SeriesTrace,
  ): Promise<string | SeriesColumns | undefined> {
    const handle = run as DbRunHandle;
    const bytes = utf8(path);
    let seriesId = this.#series.idOf(handle.id, bytes);
    let version = seriesId === undefined ? undefined : handle.seriesVersions.get(seriesId);
    if (seriesId === undefined || version === undefined) {
      const [series] = await this.#seriesOf(run, METRIC, path);
      if (!series) return undefined;
      this.#series.remember(handle.id, bytes, series.id);
      seriesId = series.id;
      version = series.version;
    }
    return this.#series.view(this.#sql, seriesId, version, { ...request, path }, trace);
  }

  async *allMetrics(
    run: RunHandle,
  ): AsyncIterable<{ readonly path: string; readonly columns: SeriesColumns }> {
    for (const series of await this.#seriesOf(run, METRIC)) {
      const columns = await this.#series.metric(this.#sql, series.id, {}, series.version);
      if (columns && columns.length > 0) yield { path: series.path, columns };
    }
  }

  async stringPage(run: RunHandle, query: StringPageQuery): Promise<StringPage> {
    const sql = this.#sql;
    const series = await this.#seriesOf(run, STRING, query.path);
    if (series.length === 0) return { rows: [], total: 0 };
    const ids = series.map((row) => row.id);
    const pathOf = new Map(series.map((row) => [row.id, row.path]));
    const [counted] =
      await sql`SELECT count(*) AS n FROM string_points WHERE series_id IN ${sql(ids)}`;
    // Series ids are listed in path order, so a row's position in that list orders by
    // path bytes, then step.
    const rank = sql.unsafe(
      `CASE series_id ${ids.map((id, i) => `WHEN ${Number(id)} THEN ${i}`).join(" ")} END`,
    );
    const all = () =>
      sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank}, step`;
    let rows: { series_id: number; step: number; ts_ms: number; value: unknown }[];
    if (query.tail !== undefined) {
      // A negative tail is no limit, as SQLite's LIMIT -1 is for the files.
      rows =
        query.tail < 0
          ? await all()
          : (
              await sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank} DESC, step DESC LIMIT ${query.tail}`
            ).reverse();
    } else if (query.limit !== undefined && query.limit >= 0) {
      rows =
        await sql`SELECT series_id, step, ts_ms, value FROM string_points WHERE series_id IN ${sql(ids)} ORDER BY ${rank}, step LIMIT ${query.limit} OFFSET ${Math.max(0, query.offset ?? 0)}`;
    } else if (query.limit !== undefined) {
      rows = (await all()).slice(Math.max(0, query.offset ?? 0));
    } else {
      rows = await all();
    }
    const page: StringRow[] = rows.map((row) => ({
      path: pathOf.get(Number(row.series_id)) as string,
      step: Number(row.step),
      value: fromUtf8(row.value),
      ts: Math.floor(Number(row.ts_ms) / 1000),
    }));
    return { rows: page, total: Number(counted.n) };
  }

  async setTrashed(run: RunHandle, trashed: boolean): Promise<void> {
    const handle = run as DbRunHandle;
    if (!allows(this.#principal, handle.workspace, "write"))
      throw new HttpError(
        403,
        `the key's role in workspace '${handle.workspace}' does not allow trashing runs`,
      );
    await this.#sql.begin(async (tx) => {
      await tx`UPDATE runs SET trashed = ${trashed ? 1 : 0} WHERE id = ${handle.id}`;
      await touchCatalog(tx);
    });
  }

  async close(): Promise<void> {
    await this.#onClose?.();
  }
}
