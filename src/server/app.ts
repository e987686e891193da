/**
 * The HTTP app of `goodseed serve` and of the team server's read API: the JSON API of
 * the Python `goodseed serve` (FORMAT.md §11) over any {@link ReadStore}, as an Elysia
 * value that tests call with `app.handle(request)`. It knows nothing of files.
 */

import { Elysia } from "elysia";
import { type ReadStore, RunNotFoundError, type SeriesTrace } from "../api/read-store.ts";
import type { RunEditor } from "../api/run-edits.ts";
import type { CacheStats } from "../cache/byte-lru.ts";
import { type AccessOptions, AccessPolicy } from "./access.ts";
import {
  BucketMemo,
  configsBody,
  metricPathsBody,
  projectsBody,
  runsBody,
  stringSeriesBody,
} from "./bodies.ts";
import { ColumnsMemo } from "./columnar-series.ts";
import { configsBatchBody, configsItems, configsQuery } from "./configs-batch.ts";
import { HttpError, notFound } from "./http-error.ts";
import { ListBodies } from "./list-bodies.ts";
import { livenessBody, livenessQuery } from "./liveness-batch.ts";
import { metricsBody } from "./metrics-body.ts";
import { publicMessage } from "./public-error.ts";
import {
  ConfigsQuery,
  LivenessQuery,
  MetricsQuery,
  metricsQuery,
  pick,
  RunParams,
  RunsQuery,
  SeriesQuery,
  StringsQuery,
  toInteger,
} from "./query-schemas.ts";
import { Replies, withSeriesTiming } from "./replies.ts";
import { applyRunEdits, checkOwnPage, RunEditsBody } from "./run-edits.ts";
import { RunRouting } from "./run-routing.ts";
import { batchItems, seriesBatchBody, seriesBatchPacked, seriesQuery } from "./series-batch.ts";
import { parseQueryAll, rawQuery, splitTarget } from "./url-decoding.ts";

export interface AppOptions extends AccessOptions {
  /** Where the runs come from; the app closes it when it stops. */
  readonly store: ReadStore;
  /** Bytes the bodies of project and run lists kept between changes may take. @default 32 MiB */
  readonly listCacheBytes?: number | undefined;
  /** Applies the web UI's edits (`POST /api/run-edits`); without it the server edits nothing (405). */
  readonly editor?: RunEditor | undefined;
  /**
   * Keep the texts of complete buckets of downsampled series by the columns' arrays:
   * only for a store whose columns never change below their length while their arrays
   * stay the same. @default false
   */
  readonly memoizeBuckets?: boolean | undefined;
  /**
   * Where columnar views are kept (`/api/series/columns` and `/api/series/packed`); apps over one store's series
   * may share one. @default one of its own
   */
  readonly columnsMemo?: ColumnsMemo | undefined;
}

/** Builds the app; `app.stop()` (or {@link closeApp}) closes its store. */
export function createApp(options: AppOptions) {
  const { store } = options;
  const replies = new Replies(new AccessPolicy(options));
  const reply = replies.reply.bind(replies);
  const lists = new ListBodies(options.listCacheBytes ?? 32 * 2 ** 20);
  const buckets = options.memoizeBuckets ? new BucketMemo() : undefined;
  const columnsMemo = options.columnsMemo ?? new ColumnsMemo();
  const routing = new RunRouting(store);
  const runTransform = routing.transform.bind(routing);
  const handleOf = routing.handleOf.bind(routing);

  const projects = async (request: Request): Promise<Response> =>
    replies.replyList(request, await lists.get("", () => store.projects(), projectsBody));

  const runs = async (request: Request, project: string | undefined): Promise<Response> =>
    replies.replyList(
      request,
      await lists.get(`=${project ?? ""}`, () => store.runs(project), runsBody),
    );

  const setTrashed =
    (trashed: boolean) =>
    async ({ request }: { request: Request }): Promise<Response> => {
      await store.setTrashed(handleOf(request), trashed);
      return reply(request, '{"ok": true}');
    };

  let handleAgain: (request: Request) => Promise<Response> = async () => {
    throw notFound();
  };

  const app = new Elysia({ name: "goodseed-api", strictPath: true })
    .error({ HttpError })
    .onRequest(({ request }) => replies.admit(request))
    .onError(({ request, error, code }) => {
      if (error instanceof HttpError) return replies.error(request, error.status, error.message);
      if (error instanceof RunNotFoundError) return replies.error(request, 404, error.message);
      if (code === "NOT_FOUND") return replies.error(request, 404, notFound().message);
      if (code === "PARSE") return replies.error(request, 400, "The body is not valid JSON");
      if (code === "VALIDATION")
        return replies.error(request, 400, error.customError?.toString() ?? "Bad request");
      // Never where things lie on this machine (a file system error names the path).
      const message = publicMessage(error instanceof Error ? error.message : String(error));
      return replies.error(request, 500, message);
    })
    .onStop(() => store.close())
    .options("*", ({ request }) => replies.preflight(request))
    .get("/api/projects", ({ request }) => projects(request))
    .get("/api/runs", ({ request, query }) => runs(request, query.project), {
      // The Python server's decoding (first of repeated names, empty counts as absent).
      transform(context) {
        context.query = Object.fromEntries(splitTarget(context.request.url).query);
      },
      query: RunsQuery,
    })
    .get(
      "/api/series",
      async ({ request, query }) => {
        const items = batchItems(query);
        const trace = { ms: 0 };
        const response = reply(request, await seriesBatchBody(store, items, trace));
        return withSeriesTiming(response, `${items.length} series`, trace.ms);
      },
      {
        // Every value of every name, in order (`run`, `path`, … repeat and pair by position).
        transform(context) {
          context.query = seriesQuery(parseQueryAll(rawQuery(context.request.url)));
        },
        query: SeriesQuery,
      },
    )
    .get(
      "/api/series/columns",
      async ({ request, query }) => {
        const items = batchItems(query);
        const trace = { ms: 0 };
        const body = await seriesBatchBody(store, items, trace, columnsMemo);
        return withSeriesTiming(reply(request, body), `${items.length} series`, trace.ms);
      },
      {
        transform(context) {
          context.query = seriesQuery(parseQueryAll(rawQuery(context.request.url)));
        },
        query: SeriesQuery,
      },
    )
    .get(
      "/api/series/packed",
      async ({ request, query }) => {
        const items = batchItems(query);
        const trace = { ms: 0 };
        const body = await seriesBatchPacked(store, items, trace, columnsMemo);
        return withSeriesTiming(
          replies.replyBytes(request, body),
          `${items.length} series`,
          trace.ms,
        );
      },
      {
        transform(context) {
          context.query = seriesQuery(parseQueryAll(rawQuery(context.request.url)));
        },
        query: SeriesQuery,
      },
    )
    .get(
      "/api/configs",
      async ({ request, query }) =>
        reply(request, await configsBatchBody(store, configsItems(query))),
      {
        transform(context) {
          context.query = configsQuery(parseQueryAll(rawQuery(context.request.url)));
        },
        query: ConfigsQuery,
      },
    )
    .get(
      "/api/liveness",
      async ({ request, query }) => reply(request, await livenessBody(store, query)),
      {
        transform(context) {
          context.query = livenessQuery(parseQueryAll(rawQuery(context.request.url)));
        },
        query: LivenessQuery,
      },
    )
    .get(
      "/api/runs/:project/:run/configs",
      async ({ request }) => reply(request, configsBody(await store.configs(handleOf(request)))),
      { transform: runTransform("GET"), params: RunParams },
    )
    .get(
      "/api/runs/:project/:run/metric-paths",
      async ({ request }) =>
        reply(request, metricPathsBody(await store.metricPaths(handleOf(request)))),
      { transform: runTransform("GET"), params: RunParams },
    )
    .get(
      "/api/runs/:project/:run/metrics",
      async ({ request, query }) => {
        const trace: SeriesTrace = {};
        const body = await metricsBody(store, handleOf(request), query, trace, buckets);
        const response = reply(request, body);
        return trace.source === undefined
          ? response
          : withSeriesTiming(response, trace.source, trace.ms ?? 0);
      },
      {
        transform: runTransform("GET", metricsQuery),
        params: RunParams,
        query: MetricsQuery,
      },
    )
    .get(
      "/api/runs/:project/:run/string_series",
      async ({ request, query }) => {
        const page = await store.stringPage(handleOf(request), {
          path: query.path,
          limit: toInteger(query.limit),
          offset: toInteger(query.offset),
          tail: toInteger(query.tail),
        });
        return reply(request, stringSeriesBody(page));
      },
      {
        transform: runTransform("GET", (params) => pick(StringsQuery, params)),
        params: RunParams,
        query: StringsQuery,
      },
    )
    .post("/api/runs/:project/:run/trash", setTrashed(true), {
      transform: runTransform("POST"),
      params: RunParams,
    })
    .post("/api/runs/:project/:run/trash/restore", setTrashed(false), {
      transform: runTransform("POST"),
      params: RunParams,
    })
    .post(
      "/api/run-edits",
      async ({ request, body }) => {
        if (!options.editor) throw new HttpError(405, "This server does not edit runs");
        const { status, results } = await applyRunEdits(store, options.editor, body);
        return reply(request, JSON.stringify({ results }), status);
      },
      {
        // Before the body is checked: a foreign page learns nothing but "refused".
        transform({ request }) {
          checkOwnPage(request);
        },
        body: RunEditsBody,
      },
    )
    .all("*", ({ request }) => {
      if (request.method !== "GET" && request.method !== "POST")
        throw new HttpError(405, `Method ${request.method} not allowed`);
      // The Python server routes on the percent-decoded path: `/api%2Fprojects` is
      // `/api/projects` there too, and a project may span segments (`acme/vision`).
      const { path, query } = splitTarget(request.url);
      const get = request.method === "GET";
      if (get && path === "/api/projects") return projects(request);
      if (get && path === "/api/runs") return runs(request, pick(RunsQuery, query).project);
      return handleAgain(routing.reroute(request, path));
    });
  handleAgain = (request) => app.handle(request);
  closers.set(app, () => store.close());
  stats.set(app, () => ({ runLists: lists.stats, ...store.cacheStats?.() }));
  return app;
}

export type GoodseedApp = ReturnType<typeof createApp>;

const closers = new WeakMap<object, () => Promise<void>>();

const stats = new WeakMap<object, () => Readonly<Record<string, CacheStats>>>();

/**
 * How full each cache behind an app is, by name (`runLists`, and the store's own,
 * such as `series` and `counts` for run files): what requests can make it hold.
 */
export function cacheStats(app: GoodseedApp): Readonly<Record<string, CacheStats>> {
  return stats.get(app)?.() ?? {};
}

/** Closes an app's store without a server: for `app.handle` users. */
export async function closeApp(app: GoodseedApp): Promise<void> {
  await closers.get(app)?.();
}
