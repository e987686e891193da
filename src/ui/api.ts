/**
 * The JSON API of a goodseed server, as the page uses it (see api-get.ts for how it is
 * reached, series-requests.ts for the charts' series).
 */

import type { MetricsResponseFor } from "../api/api-routes.ts";
import type { ConfigsBatchQuery } from "../api/batch-wire.ts";
import type {
  ConfigValue,
  DownsampledResponse,
  MetricsQuery,
  RunSummary,
  WireNumber,
} from "../api/wire.ts";
import { chunked, type GetPath, getJson, runParam } from "./api-get.ts";
import { series } from "./series-requests.ts";

export type {
  ConfigValue,
  DownsampledPoint as MetricPoint,
  DownsampledResponse as DownsampledSeries,
  ProjectSummary,
  RunSummary,
  StringEntry,
} from "../api/wire.ts";
export { apiBase } from "./api-get.ts";
export type { SeriesSource } from "./series-requests.ts";

type RunGetPath = Extract<GetPath, `/api/runs/:project/:run/${string}`>;

/**
 * The configs of many runs (`/api/configs`), in the order of `runs`, in as few
 * requests as the URL length allows; a run that no longer exists is `undefined`.
 */
async function configsOf(
  runs: readonly RunSummary[],
): Promise<(Record<string, ConfigValue> | undefined)[]> {
  const chunks = chunked(runs, (run) => encodeURIComponent(runParam(run)).length + 5);
  const answers = await Promise.all(
    chunks.map((items) =>
      getJson("/api/configs", "/api/configs", {
        run: items.map(runParam),
      } satisfies ConfigsBatchQuery),
    ),
  );
  return answers.flatMap((answer) =>
    answer.runs.map((entry) => ("error" in entry ? undefined : entry.configs)),
  );
}

function runRoute<P extends RunGetPath>(
  route: P,
  run: { project: string; run_id: string },
): string {
  return `${runPath(run)}${route.slice("/api/runs/:project/:run".length)}`;
}

function runPath(run: { project: string; run_id: string }): string {
  return `/api/runs/${run.project.split("/").map(encodeURIComponent).join("/")}/${encodeURIComponent(run.run_id)}`;
}

/** Numbers of the API, where non-finite values travel as strings. */
export function num(value: WireNumber | undefined): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

export const api = {
  projects: () => getJson("/api/projects", "/api/projects", {}).then((body) => body.projects),
  runs: (project?: string) =>
    getJson("/api/runs", "/api/runs", { project }).then((body) => body.runs),
  configs: (run: RunSummary) =>
    getJson(
      "/api/runs/:project/:run/configs",
      runRoute("/api/runs/:project/:run/configs", run),
      {},
    ).then((body): Record<string, ConfigValue> => body.configs),
  configsOf,
  metrics: (run: RunSummary, path: string, pointCount: number, first?: number, last?: number) => {
    const query = { path, pointCount, firstPointIndex: first, lastPointIndex: last };
    return getJson<"/api/runs/:project/:run/metrics", MetricsResponseFor<typeof query>>(
      "/api/runs/:project/:run/metrics",
      runRoute("/api/runs/:project/:run/metrics", run),
      query satisfies MetricsQuery,
    ).then((body): DownsampledResponse => body);
  },
  series,
  liveness: (runs: string[]) =>
    getJson("/api/liveness", "/api/liveness", { run: runs }).then((body) => body.runs),
  strings: (
    run: RunSummary,
    path: string,
    query: { limit?: number; offset?: number; tail?: number },
  ) =>
    getJson(
      "/api/runs/:project/:run/string_series",
      runRoute("/api/runs/:project/:run/string_series", run),
      { path, ...query },
    ),
};
