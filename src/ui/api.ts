/**
 * The JSON API of a goodseed server, as the page uses it. By default the server that
 * served the page; `?api=http://host:port` points the page at any other one.
 */

import { answerColumns } from "../api/answer-columns.ts";
import type { ApiPath, ApiRoutes, MetricsResponseFor } from "../api/api-routes.ts";
import type {
  ConfigsBatchQuery,
  SeriesBatchQuery,
  SeriesColumnsAnswer,
} from "../api/batch-wire.ts";
import type {
  ConfigValue,
  DownsampledResponse,
  MetricsQuery,
  RunSummary,
  WireNumber,
} from "../api/wire.ts";
import { reportReachable, reportUnreachable } from "./connection.ts";
import { signInIfAsked } from "./sign-in.ts";

export type {
  ConfigValue,
  DownsampledPoint as MetricPoint,
  DownsampledResponse as DownsampledSeries,
  ProjectSummary,
  RunSummary,
  StringEntry,
} from "../api/wire.ts";

export const apiBase = (new URLSearchParams(location.search).get("api") ?? "").replace(/\/+$/, "");

type GetPath = { [P in ApiPath]: ApiRoutes[P]["method"] extends "GET" ? P : never }[ApiPath];
type RunGetPath = Extract<GetPath, `/api/runs/:project/:run/${string}`>;

/**
 * A GET of one route of the shared route table: its query and its answer are the
 * server's (`src/api/wire.ts`), so a route changed there fails this file's type check.
 */
async function getJson<P extends GetPath, R = ApiRoutes[P]["response"]>(
  route: P,
  target: string,
  query: ApiRoutes[P]["query"],
): Promise<R> {
  void route;
  const text = queryText(query as Record<string, QueryValue>);
  let response: Response;
  try {
    response = await fetch(`${apiBase}${target}${text ? `?${text}` : ""}`);
  } catch (error) {
    reportUnreachable(error as Error);
    throw error;
  }
  reportReachable();
  const body = (await response.json()) as R & { error?: string };
  if (signInIfAsked(response, body, apiBase)) throw new Error("Signing in…");
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

type QueryValue = string | number | undefined | readonly (string | number)[];

/** A query as text; a list repeats its name (`run=a&run=b`). */
function queryText(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.set(key, String(value));
  }
  return params.toString();
}

/**
 * Characters of query one `/api/series` request may carry: well under the 8–16 KB
 * of request line and headers that servers and proxies commonly accept.
 */
const BATCH_QUERY_CHARS = 6000;

/**
 * `items` cut into consecutive chunks whose query text (each item's `size`) stays
 * within {@link BATCH_QUERY_CHARS}.
 */
function chunked<T>(items: readonly T[], size: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let chars = 0;
  for (const item of items) {
    const itemChars = size(item);
    if (chunk.length > 0 && chars + itemChars > BATCH_QUERY_CHARS) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(item);
    chars += itemChars;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

const runParam = (run: { project: string; run_id: string }) => `${run.project}/${run.run_id}`;

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

/** One series of a batch: a path of a run, and optionally a range of its points. */
export interface SeriesSource {
  run: { project: string; run_id: string };
  path: string;
  /** The first point index (as `/metrics?firstPointIndex=`). @default 0 */
  first?: number | undefined;
  /** The last point index. @default the last point */
  last?: number | undefined;
}

/** What a series that is not there (its run is gone) is drawn as: no points. */
const noSeries = (): SeriesColumnsAnswer =>
  answerColumns({
    points: [],
    firstPointIndex: 0,
    lastPointIndex: 0,
    totalCount: 0,
    downsampled: false,
  });

/**
 * The downsampled series of many runs (`/api/series/columns`: each as columns, a third
 * of the bytes of point objects and far less to parse), in the order of `sources`, in
 * as few requests as the URL length allows (one for a chart of 30 runs). A run that no
 * longer exists comes back as an empty series.
 */
async function series(
  sources: readonly SeriesSource[],
  pointCount: number,
): Promise<SeriesColumnsAnswer[]> {
  const chunks = chunked(
    sources,
    (source) =>
      encodeURIComponent(runParam(source.run)).length + encodeURIComponent(source.path).length + 12,
  );
  const answers = await Promise.all(
    chunks.map((items) => {
      const paths = new Set(items.map((item) => item.path));
      const query: SeriesBatchQuery = {
        run: items.map((item) => runParam(item.run)),
        // One path for all when they share it (a metric chart), else one per run (System).
        path: paths.size === 1 ? [...paths] : items.map((item) => item.path),
        pointCount,
        // Ranges pair with runs by position; a source without one asks for all its points.
        firstPointIndex: items.some((item) => item.first !== undefined)
          ? items.map((item) => item.first ?? 0)
          : undefined,
        lastPointIndex: items.some((item) => item.last !== undefined)
          ? items.map((item) => item.last ?? Number.MAX_SAFE_INTEGER)
          : undefined,
      };
      return getJson("/api/series/columns", "/api/series/columns", query);
    }),
  );
  return answers.flatMap((answer) =>
    answer.series.map((entry): SeriesColumnsAnswer => ("error" in entry ? noSeries() : entry)),
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
