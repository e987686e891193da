/**
 * The HTTP app of `goodseed serve` and of the team server's read API: the JSON API of
 * the Python `goodseed serve` (FORMAT.md §11) over any {@link ReadStore}, as an Elysia
 * value that tests call with `app.handle(request)`. It knows nothing of files.
 */

import type { Static } from "@sinclair/typebox";
import { Elysia } from "elysia";
import {
  type ReadStore,
  type RunHandle,
  RunNotFoundError,
  type SeriesTrace,
} from "../api/read-store.ts";
import type { RunEditor } from "../api/run-edits.ts";
import type { JsonText } from "../api/wire.ts";
import { ByteLru, type CacheStats, stringBytes } from "../cache/byte-lru.ts";
import { type AccessOptions, AccessPolicy } from "./access.ts";
import {
  BucketMemo,
  configsBody,
  downsampledBody,
  type JsonStream,
  metricPathsBody,
  projectsBody,
  rawMetricsStream,
  rawSeriesStream,
  runsBody,
  stringSeriesBody,
} from "./bodies.ts";
import { acceptsGzip, COMPRESS_FROM_CHARS, gzipText } from "./compression.ts";
import { configsBatchBody, configsItems, configsQuery } from "./configs-batch.ts";
import { HttpError, notFound, runNotFound } from "./http-error.ts";
import { publicMessage } from "./public-error.ts";
import {
  ConfigsQuery,
  MetricsQuery,
  metricsQuery,
  pick,
  RunParams,
  RunsQuery,
  SeriesQuery,
  StringsQuery,
  toInteger,
} from "./query-schemas.ts";
import { applyRunEdits, checkOwnPage, RunEditsBody } from "./run-edits.ts";
import { runTarget } from "./run-target.ts";
import { batchItems, seriesBatchBody, seriesQuery } from "./series-batch.ts";
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
}

type Body = JsonText<unknown> | JsonStream<unknown>;

/** A list's body as kept: its text, and gzipped when it is long enough to be sent so. */
interface ListBody {
  readonly text: string;
  readonly gzip: Uint8Array | undefined;
}

/**
 * Bodies of the lists per query, kept while the store's version stays, within a
 * byte bound: the key is whatever `?project=` a request sends. An empty list (a
 * project that does not exist) is cheap to write again and is not kept, so that
 * such requests cannot push the real lists out.
 */
class ListBodies {
  readonly #bodies: ByteLru<string, { version: string; body: ListBody }>;

  constructor(maxBytes: number) {
    this.#bodies = new ByteLru(
      maxBytes,
      (key, { version, body }) =>
        stringBytes(key) +
        stringBytes(version) +
        stringBytes(body.text) +
        (body.gzip?.byteLength ?? 0),
    );
  }

  get stats(): CacheStats {
    return this.#bodies.stats;
  }

  async get(
    key: string,
    read: () => Promise<{ version: string; value: readonly unknown[] }>,
    write: (value: never) => string,
  ): Promise<ListBody> {
    const answer = await read();
    const cached = this.#bodies.get(key);
    if (cached?.version === answer.version) return cached.body;
    const text = (write as (value: unknown) => string)(answer.value);
    const body = {
      text,
      gzip: text.length >= COMPRESS_FROM_CHARS ? gzipText(text, 6) : undefined,
    };
    if (answer.value.length > 0) this.#bodies.set(key, { version: answer.version, body });
    else this.#bodies.delete(key);
    return body;
  }
}

/** Builds the app; `app.stop()` (or {@link closeApp}) closes its store. */
export function createApp(options: AppOptions) {
  const { store } = options;
  const access = new AccessPolicy(options);
  const lists = new ListBodies(options.listCacheBytes ?? 32 * 2 ** 20);
  const buckets = options.memoizeBuckets ? new BucketMemo() : undefined;
  /** The `Access-Control-Allow-Origin` each request is answered with ("" for none). */
  const allowed = new WeakMap<Request, string>();

  const headersFor = (request: Request, json = true): Record<string, string> => {
    const origin = allowed.get(request) ?? "";
    const headers: Record<string, string> = json ? { "content-type": "application/json" } : {};
    if (origin !== "") {
      headers["access-control-allow-origin"] = origin;
      headers["access-control-allow-methods"] = "GET, POST, OPTIONS";
      headers["access-control-allow-headers"] = "Content-Type";
    }
    headers.vary = "Origin";
    return headers;
  };
  /** The answer, gzipped when it is long and the client takes gzip (`gzipped`: done already). */
  const reply = (request: Request, body: Body, status = 200, gzipped?: Uint8Array): Response => {
    const headers = headersFor(request);
    if (typeof body === "string" && body.length >= COMPRESS_FROM_CHARS && acceptsGzip(request)) {
      headers["content-encoding"] = "gzip";
      headers.vary = "Origin, Accept-Encoding";
      return new Response(gzipped ?? gzipText(body, 1), { status, headers });
    }
    return new Response(body, { status, headers });
  };
  const replyList = (request: Request, body: ListBody): Response =>
    reply(request, body.text, 200, body.gzip);
  const errorReply = (request: Request, status: number, message: string): Response =>
    reply(request, JSON.stringify({ error: message }), status);

  /** The run each per-run request names, looked up before its query is checked. */
  const handles = new WeakMap<Request, RunHandle>();
  /** The original target of a request that the fallback route handed to a run route. */
  const originals = new WeakMap<Request, string>();

  /**
   * The per-run routes' `transform`: project and run come from the whole
   * percent-decoded path (as the Python server reads them, with `<project>` greedy
   * over slashes), the run is looked up (a 404 comes before any 400), and the query is
   * replaced by the Python decoding of the parameters `query` keeps.
   */
  const runTransform =
    (method: "GET" | "POST", query: (params: ReadonlyMap<string, string>) => object = () => ({})) =>
    async (context: { request: Request; params: unknown; query: unknown }): Promise<void> => {
      const target = splitTarget(originals.get(context.request) ?? context.request.url);
      const { project, runId } = runTarget(method, target.path);
      const run = await store.run(project, runId);
      if (!run) throw runNotFound(project, runId);
      handles.set(context.request, run);
      context.params = { project, run: runId };
      context.query = query(target.query);
    };
  const handleOf = (request: Request): RunHandle => handles.get(request) as RunHandle;

  const projects = async (request: Request): Promise<Response> =>
    replyList(request, await lists.get("", () => store.projects(), projectsBody));

  const runs = async (request: Request, project: string | undefined): Promise<Response> =>
    replyList(request, await lists.get(`=${project ?? ""}`, () => store.runs(project), runsBody));

  const metrics = async (request: Request, q: Static<typeof MetricsQuery>): Promise<Response> => {
    const run = handleOf(request);
    const trace: SeriesTrace = {};
    let body: Body;
    if (q.pointCount === undefined) {
      body =
        q.path === undefined
          ? await rawMetricsStream(store.allMetrics(run))
          : await rawSeriesStream(q.path, await store.metricSeries(run, q.path, trace));
    } else {
      const path = q.path as string;
      const pointCount = toInteger(q.pointCount) as number;
      if (pointCount < 1) throw new HttpError(400, "pointCount must be a positive integer");
      body = downsampledBody(
        await store.metricSeries(run, path, trace),
        {
          path,
          pointCount,
          first: toInteger(q.firstPointIndex),
          last: toInteger(q.lastPointIndex),
        },
        buckets,
      );
    }
    const response = reply(request, body);
    if (trace.source !== undefined)
      response.headers.set(
        "server-timing",
        `series;desc="${trace.source}";dur=${(trace.ms ?? 0).toFixed(1)}`,
      );
    return response;
  };

  let handleAgain: (request: Request) => Promise<Response> = async () => {
    throw notFound();
  };

  const app = new Elysia({ name: "goodseed-api", strictPath: true })
    .error({ HttpError })
    .onRequest(({ request }) => {
      const verdict = access.check(request);
      if (!verdict.ok) return errorReply(request, 403, verdict.message);
      allowed.set(request, verdict.allowOrigin);
    })
    .onError(({ request, error, code }) => {
      if (error instanceof HttpError) return errorReply(request, error.status, error.message);
      if (error instanceof RunNotFoundError) return errorReply(request, 404, error.message);
      if (code === "NOT_FOUND") return errorReply(request, 404, notFound().message);
      if (code === "VALIDATION")
        return errorReply(request, 400, error.customError?.toString() ?? "Bad request");
      // Never where things lie on this machine (a file system error names the path).
      const message = publicMessage(error instanceof Error ? error.message : String(error));
      return errorReply(request, 500, message);
    })
    .onStop(() => store.close())
    .options("*", ({ request }) => {
      const headers = headersFor(request, false);
      if (
        request.headers.get("access-control-request-private-network") === "true" &&
        allowed.get(request)
      )
        headers["access-control-allow-private-network"] = "true";
      return new Response(null, { status: 204, headers });
    })
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
        const { items, pointCount } = batchItems(query);
        const trace = { ms: 0 };
        const response = reply(request, await seriesBatchBody(store, items, pointCount, trace));
        response.headers.set(
          "server-timing",
          `series;desc="${items.length} series";dur=${trace.ms.toFixed(1)}`,
        );
        return response;
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
    .get("/api/runs/:project/:run/metrics", ({ request, query }) => metrics(request, query), {
      transform: runTransform("GET", metricsQuery),
      params: RunParams,
      query: MetricsQuery,
    })
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
    .post(
      "/api/runs/:project/:run/trash",
      async ({ request }) => {
        await store.setTrashed(handleOf(request), true);
        return reply(request, '{"ok": true}');
      },
      { transform: runTransform("POST"), params: RunParams },
    )
    .post(
      "/api/runs/:project/:run/trash/restore",
      async ({ request }) => {
        await store.setTrashed(handleOf(request), false);
        return reply(request, '{"ok": true}');
      },
      { transform: runTransform("POST"), params: RunParams },
    )
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
      if (!path.startsWith("/api/runs/") || originals.has(request)) throw notFound();
      // Handed to the run route of its endpoint, which reads the original target.
      const { endpoint } = runTarget(get ? "GET" : "POST", path);
      const routed = new Request(new URL(`/api/runs/-/-/${endpoint}`, request.url).href, request);
      originals.set(routed, request.url);
      return handleAgain(routed);
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
