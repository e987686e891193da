/**
 * The run list of the read API on the team server: the summaries of a key's runs,
 * kept per (workspaces, project filter) while the catalog version holds.
 */

import type { SQL } from "bun";
import type { Versioned } from "../api/read-store.ts";
import type { RunSummary } from "../api/wire.ts";
import { METRIC } from "./ingest.ts";
import { displayProject, parseProject } from "./run-names.ts";
import { catalogVersion } from "./tenancy.ts";
import { fromUtf8 } from "./utf8.ts";

/** Run summaries per (workspaces, project filter), kept while the catalog version holds. */
export class RunSummaries {
  #version = -1;
  readonly #lists = new Map<string, readonly RunSummary[]>();

  async get(
    sql: SQL,
    key: string,
    read: () => Promise<RunSummary[]>,
  ): Promise<Versioned<readonly RunSummary[]>> {
    const version = await catalogVersion(sql);
    if (version !== this.#version) {
      this.#version = version;
      this.#lists.clear();
    }
    let value = this.#lists.get(key);
    if (value === undefined) {
      value = await read();
      if (this.#version === version) this.#lists.set(key, value);
    }
    return { version: String(version), value };
  }
}

/** The summaries of the runs of `workspaces` (of one project when given), newest first. */
export async function readRunSummaries(
  sql: SQL,
  home: string,
  workspaces: readonly string[],
  project: string | undefined,
): Promise<RunSummary[]> {
  let filter = sql`w.name IN ${sql(workspaces)}`;
  if (project !== undefined) {
    const parts = parseProject(home, project);
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
    (Number(row.kind) === METRIC ? entry.metric : entry.string).push(fromUtf8(row.path));
  }
  const list = (runs as Record<string, unknown>[]).map((row) => ({
    id: Number(row.id),
    summary: {
      project: displayProject(home, row.workspace as string, row.project as string),
      run_id: row.run_id as string,
      experiment_name: (row.experiment_name as string | null) ?? null,
      created_at: (row.created_at as string | null) ?? null,
      closed_at: (row.closed_at as string | null) ?? null,
      status: (row.status as string | null) ?? "unknown",
      trashed: Number(row.trashed) === 1,
      string_series_paths: byRun.get(Number(row.id))?.string ?? [],
      metric_paths: byRun.get(Number(row.id))?.metric ?? [],
    },
  }));
  list.sort((a, b) => {
    const x = a.summary.created_at ?? "";
    const y = b.summary.created_at ?? "";
    return x < y ? 1 : x > y ? -1 : a.id - b.id;
  });
  return list.map((entry) => entry.summary);
}
