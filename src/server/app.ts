/**
 * The HTTP app of `goodseed serve` and of the team server's read API: the JSON API of
 * the Python `goodseed serve` (FORMAT.md §11) over any {@link ReadStore}, as an Elysia
 * value that tests call with `app.handle(request)`. It knows nothing of files.
 */

import { Elysia } from "elysia";
import { type ReadStore, RunNotFoundError, type SeriesTrace } from "../api/read-store.ts";
import type { RunEditor } from "../api/run-edits.ts";
import type { JsonText } from "../api/wire.ts";
import { type AccessOptions, AccessPolicy } from "./access.ts";
import {
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
import { HttpError, notFound, runNotFound } from "./http-error.ts";
import {
  checkQuery,
  DownsampleQuery,
  RunsQuery,
  StringsQuery,
  toInteger,
} from "./query-schemas.ts";
import { applyRunEdits, checkOwnPage, RunEditsBody } from "./run-edits.ts";
import { type RunTarget, runTarget } from "./run-target.ts";
import { splitTarget } from "./url-decoding.ts";

export interface AppOptions extends AccessOptions {
  /** Where the runs come from; the app closes it when it stops. */
  readonly store: ReadStore;
  /** Applies the web UI's edits (`POST /api/run-edits`); without it the server edits nothing (405). */
  readonly editor?: RunEditor | undefined;
}

type Body = JsonText<unknown> | JsonStream<unknown>;

/** Bodies of the lists per query, kept while the store's version stays. */
class ListBodies {
  readonly #bodies = new Map<string, { version: string; body: string }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  async get(
    key: string,
    read: () => Promise<{ version: string; value: unknown }>,
    write: (value: never) => string,
  ): Promise<string> {
    const answer = await read();
    const cached = this.#bodies.get(key);
    if (cached?.version === answer.version) return cached.body;
    const body = (write as (value: unknown) => string)(answer.value);
    this.#bodies.delete(key);
    if (this.#bodies.size >= this.#max)
      this.#bodies.delete(this.#bodies.keys().next().value as string);
    this.#bodies.set(key, { version: answer.version, body });
    return body;
  }
}

/** Builds the app; `app.stop()` (or {@link closeApp}) closes its store. */
export function createApp(options: AppOptions) {
  const { store } = options;
  const access = new AccessPolicy(options);
  const lists = new ListBodies(64);
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
  const reply = (request: Request, body: Body, status = 200): Response =>
    new Response(body, { status, headers: headersFor(request) });
  const errorReply = (request: Request, status: number, message: string): Response =>
    reply(request, JSON.stringify({ error: message }), status);

  const lookup = async (target: RunTarget) => {
    const run = await store.run(target.project, target.runId);
    if (!run) throw runNotFound(target.project, target.runId);
    return run;
  };

  const runGet = async (request: Request): Promise<Response> => {
    const { path, query } = splitTarget(request.url);
    const target = runTarget("GET", path);
    const run = await lookup(target);
    switch (target.endpoint) {
      case "configs":
        return reply(request, configsBody(await store.configs(run)));
      case "metric-paths":
        return reply(request, metricPathsBody(await store.metricPaths(run)));
      case "metrics": {
        const seriesPath = query.get("path");
        const trace: SeriesTrace = {};
        let body: Body;
        if (!query.has("pointCount")) {
          body =
            seriesPath === undefined
              ? await rawMetricsStream(store.allMetrics(run))
              : await rawSeriesStream(seriesPath, await store.metricSeries(run, seriesPath, trace));
        } else {
          const q = checkQuery(DownsampleQuery, query);
          const pointCount = toInteger(q.pointCount) as number;
          if (pointCount < 1) throw new HttpError(400, "pointCount must be a positive integer");
          body = downsampledBody(await store.metricSeries(run, q.path, trace), {
            path: q.path,
            pointCount,
            first: toInteger(q.firstPointIndex),
            last: toInteger(q.lastPointIndex),
          });
        }
        const response = reply(request, body);
        if (trace.source !== undefined)
          response.headers.set(
            "server-timing",
            `series;desc="${trace.source}";dur=${(trace.ms ?? 0).toFixed(1)}`,
          );
        return response;
      }
      default: {
        const q = checkQuery(StringsQuery, query);
        const page = await store.stringPage(run, {
          path: q.path,
          limit: toInteger(q.limit),
          offset: toInteger(q.offset),
          tail: toInteger(q.tail),
        });
        return reply(request, stringSeriesBody(page));
      }
    }
  };

  const projects = async (request: Request): Promise<Response> =>
    reply(request, await lists.get("", () => store.projects(), projectsBody));

  const runs = async (request: Request, project: string | undefined): Promise<Response> =>
    reply(request, await lists.get(`=${project ?? ""}`, () => store.runs(project), runsBody));

  const runPost = async (request: Request): Promise<Response> => {
    const target = runTarget("POST", splitTarget(request.url).path);
    await store.setTrashed(await lookup(target), target.endpoint === "trash");
    return reply(request, '{"ok": true}');
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
      const message = error instanceof Error ? error.message : String(error);
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
    .get("/api/runs/*", ({ request }) => runGet(request))
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
    .post("/api/runs/*", ({ request }) => runPost(request))
    .all("*", ({ request }) => {
      if (request.method !== "GET" && request.method !== "POST")
        throw new HttpError(405, `Method ${request.method} not allowed`);
      // The Python server routes on the percent-decoded path: `/api%2Fprojects` is
      // `/api/projects` there too.
      const { path, query } = splitTarget(request.url);
      const get = request.method === "GET";
      if (get && path === "/api/projects") return projects(request);
      if (get && path === "/api/runs") return runs(request, checkQuery(RunsQuery, query).project);
      if (path.startsWith("/api/runs/")) return get ? runGet(request) : runPost(request);
      throw notFound();
    });
  closers.set(app, () => store.close());
  return app;
}

export type GoodseedApp = ReturnType<typeof createApp>;

const closers = new WeakMap<object, () => Promise<void>>();

/** Closes an app's store without a server: for `app.handle` users. */
export async function closeApp(app: GoodseedApp): Promise<void> {
  await closers.get(app)?.();
}
