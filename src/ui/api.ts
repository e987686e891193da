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

/** A call of {@link series} waiting for the requests of its task. */
interface Asked {
  readonly sources: readonly SeriesSource[];
  readonly pointCount: number;
  readonly resolve: (answers: SeriesColumnsAnswer[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Calls of {@link series} made in the task now running, sent together once it ends. */
let asked: Asked[] = [];

/**
 * The downsampled series of many runs (`/api/series/columns`: each as columns, a third
 * of the bytes of point objects and far less to parse), in the order of `sources`. A
 * run that no longer exists comes back as an empty series.
 *
 * Every call made in the same task (the charts a board lays out draw together) goes
 * into as few requests as the URL length allows, each series with its own chart's
 * `pointCount`: a board of 11 charts of 30 runs is 3 requests, where one per chart
 * queued behind the browser's six connections to a host, each freed only once the
 * page's busy thread had taken its answer (100 ms and more of a first view).
 */
function series(
  sources: readonly SeriesSource[],
  pointCount: number,
): Promise<SeriesColumnsAnswer[]> {
  return new Promise((resolve, reject) => {
    if (asked.length === 0) queueMicrotask(sendAsked);
    asked.push({ sources, pointCount, resolve, reject });
  });
}

/** One series of a request, and which calls asked for it, as which of their sources. */
interface SeriesItem {
  readonly source: SeriesSource;
  readonly pointCount: number;
  readonly askers: { readonly call: number; readonly index: number }[];
}

/**
 * Sends what the calls of this task asked, each series once however many calls asked
 * for it (a zoom followed by every chart at once); a failed request fails the calls
 * with series in it.
 */
function sendAsked(): void {
  const calls = asked;
  asked = [];
  const unique = new Map<string, SeriesItem>();
  for (const [callIndex, call] of calls.entries())
    for (const [index, source] of call.sources.entries()) {
      const key = JSON.stringify([
        source.run.project,
        source.run.run_id,
        source.path,
        source.first,
        source.last,
        call.pointCount,
      ]);
      let item = unique.get(key);
      if (!item) {
        item = { source, pointCount: call.pointCount, askers: [] };
        unique.set(key, item);
      }
      item.askers.push({ call: callIndex, index });
    }
  const answers = calls.map((call) => new Array<SeriesColumnsAnswer>(call.sources.length));
  const waits = calls.map((): Promise<void>[] => []);
  const chunks = chunked(
    [...unique.values()],
    (item) =>
      encodeURIComponent(runParam(item.source.run)).length +
      encodeURIComponent(item.source.path).length +
      String(item.pointCount).length +
      24,
  );
  const requests = chunks.map((chunk) => {
    const request = seriesRequest(chunk).then((entries) => {
      chunk.forEach((item, at) => {
        for (const { call, index } of item.askers)
          (answers[call] as SeriesColumnsAnswer[])[index] = entries[at] as SeriesColumnsAnswer;
      });
    });
    for (const call of new Set(chunk.flatMap((item) => item.askers.map((asker) => asker.call))))
      (waits[call] as Promise<void>[]).push(request);
    return request;
  });
  // Every call is answered once all the requests are in: the charts of a board then
  // draw in one frame, where each answer drew some of them in a frame of its own (each
  // frame paints and composites the page again: 100-200 ms of a first view's CPU).
  void Promise.allSettled(requests).then(() =>
    calls.forEach((call, index) => {
      Promise.all(waits[index] as Promise<void>[]).then(
        () => call.resolve(answers[index] as SeriesColumnsAnswer[]),
        call.reject,
      );
    }),
  );
}

/** A value given once for every item when all share it, else once per item. */
function onceOrEach<T>(values: readonly T[]): readonly T[] {
  return new Set(values).size === 1 ? values.slice(0, 1) : values;
}

/** One `/api/series/columns` request for `items`, its entries in their order. */
async function seriesRequest(items: readonly SeriesItem[]): Promise<SeriesColumnsAnswer[]> {
  const sources = items.map((item) => item.source);
  const query: SeriesBatchQuery = {
    run: sources.map((source) => runParam(source.run)),
    // One path for all when they share it (a metric chart), else one per run (System).
    path: onceOrEach(sources.map((source) => source.path)),
    pointCount: onceOrEach(items.map((item) => item.pointCount)),
    // Ranges pair with runs by position; a source without one asks for all its points.
    firstPointIndex: sources.some((source) => source.first !== undefined)
      ? sources.map((source) => source.first ?? 0)
      : undefined,
    lastPointIndex: sources.some((source) => source.last !== undefined)
      ? sources.map((source) => source.last ?? Number.MAX_SAFE_INTEGER)
      : undefined,
  };
  const answer = await getJson("/api/series/columns", "/api/series/columns", query);
  return answer.series.map((entry): SeriesColumnsAnswer => ("error" in entry ? noSeries() : entry));
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
