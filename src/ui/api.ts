/**
 * The JSON API of a goodseed server, as the page uses it. By default the server that
 * served the page; `?api=http://host:port` points the page at any other one.
 */

import { reportReachable, reportUnreachable } from "./connection.ts";

export interface RunSummary {
  project: string;
  run_id: string;
  experiment_name: string | null;
  created_at: string | null;
  closed_at: string | null;
  status: string;
  trashed: boolean;
  string_series_paths: string[];
  metric_paths: string[];
}

export interface ProjectSummary {
  name: string;
  run_count: number;
  last_modified: string;
}

export interface MetricPoint {
  step: number;
  value: number | string;
  minY?: number | string;
  maxY?: number | string;
  downsampled?: boolean;
  logged_at: string;
}

export interface DownsampledSeries {
  points: MetricPoint[];
  firstPointIndex: number;
  lastPointIndex: number;
  totalCount: number;
  downsampled: boolean;
}

export interface StringEntry {
  path: string;
  step: number;
  value: string;
  logged_at: string;
}

export type ConfigValue = null | boolean | number | string | string[];

export const apiBase = (new URLSearchParams(location.search).get("api") ?? "").replace(/\/+$/, "");

async function getJson<T>(
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  let response: Response;
  try {
    response = await fetch(`${apiBase}${path}${text ? `?${text}` : ""}`);
  } catch (error) {
    reportUnreachable(error as Error);
    throw error;
  }
  reportReachable();
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

function runPath(run: { project: string; run_id: string }): string {
  return `/api/runs/${run.project.split("/").map(encodeURIComponent).join("/")}/${encodeURIComponent(run.run_id)}`;
}

/** Numbers of the API, where non-finite values travel as strings. */
export function num(value: number | string | undefined): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

export const api = {
  projects: () =>
    getJson<{ projects: ProjectSummary[] }>("/api/projects").then((body) => body.projects),
  runs: (project?: string) =>
    getJson<{ runs: RunSummary[] }>("/api/runs", { project }).then((body) => body.runs),
  configs: (run: RunSummary) =>
    getJson<{ configs: Record<string, ConfigValue> }>(`${runPath(run)}/configs`).then(
      (body) => body.configs,
    ),
  metrics: (run: RunSummary, path: string, pointCount: number, first?: number, last?: number) =>
    getJson<DownsampledSeries>(`${runPath(run)}/metrics`, {
      path,
      pointCount,
      firstPointIndex: first,
      lastPointIndex: last,
    }),
  strings: (
    run: RunSummary,
    path: string,
    query: { limit?: number; offset?: number; tail?: number },
  ) =>
    getJson<{ string_series: StringEntry[]; total: number }>(`${runPath(run)}/string_series`, {
      path,
      ...query,
    }),
};

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item).catch(() => {});
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
