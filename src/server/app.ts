/**
 * The HTTP app of `goodseed serve`: the JSON API of the Python `goodseed serve`
 * (FORMAT.md §11), as an Elysia value that tests call with `app.handle(request)`.
 */

import { cors } from "@elysiajs/cors";
import { Elysia } from "elysia";
import { type CatalogWarnings, RunCatalog } from "../catalog/run-catalog.ts";
import { SeriesCache } from "../series/series-cache.ts";
import { ConnectionPool } from "../storage/connection-pool.ts";
import { HttpError } from "./http-error.ts";
import { JSON_HEADERS, jsonResponse } from "./json.ts";
import { route } from "./routes.ts";
import { runEditsResponse } from "./run-edits.ts";
import { runEndpoint } from "./run-endpoints.ts";
import { listProjectsBody, listRunsBody } from "./run-list.ts";
import { splitTarget } from "./url-decoding.ts";

export interface AppOptions {
  /** The directory served: `<home>/projects`. */
  projectsDir: string;
  /** Receives warnings such as skipped unreadable run files. @default silent */
  logger?: CatalogWarnings;
  /** Read connections kept open. @default 64 */
  maxOpenFiles?: number;
}

export interface ServerState {
  readonly catalog: RunCatalog;
  readonly pool: ConnectionPool;
  readonly series: SeriesCache;
  readonly root: string;
}

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "Content-Type",
} as const;

function errorResponse(error: unknown): Response {
  const status = error instanceof HttpError ? error.status : 500;
  const message = error instanceof Error ? error.message : String(error);
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { ...JSON_HEADERS, ...CORS_HEADERS },
  });
}

/** Builds the app; `app.stop()` (or the returned `close`) releases its connections. */
export function createApp(options: AppOptions) {
  const pool = new ConnectionPool({ maxOpen: options.maxOpenFiles ?? 64 });
  const state: ServerState = {
    root: options.projectsDir,
    pool,
    series: new SeriesCache(),
    catalog: new RunCatalog(options.projectsDir, pool, options.logger ?? { warn() {} }),
  };
  // Read every run's summary in the background, in small slices, so that the first run
  // list does not wait and the first requests are not held up by the warm-up either.
  setTimeout(() => void state.catalog.warm().catch(() => {}), 25).unref();
  const dispatch = (request: Request): Response | Promise<Response> => {
    const { path, query } = splitTarget(request.url);
    const target = route(request.method, path);
    switch (target.kind) {
      case "preflight":
        return new Response(null, { status: 204 });
      case "projects":
        return jsonResponse(listProjectsBody(state.catalog));
      case "runs":
        return listRunsBody(state.catalog, query.get("project")).then(jsonResponse);
      case "run":
        return runEndpoint(state, target, query);
    }
  };
  const release = (): void => {
    state.catalog.close();
    pool.close();
  };
  const app = new Elysia({ name: "goodseed-api" })
    .use(
      cors({
        origin: "*",
        methods: ["GET", "POST", "OPTIONS"],
        allowedHeaders: "Content-Type",
        exposeHeaders: false as unknown as string,
        credentials: false,
        preflight: false,
        maxAge: 0,
      }),
    )
    .error({ HttpError })
    .onError(({ error }) => errorResponse(error))
    .onStop(release)
    .post("/api/run-edits", ({ request }) => runEditsResponse(request, state))
    .all("*", ({ request }) => dispatch(request));
  releases.set(app, release);
  return app;
}

export type GoodseedApp = ReturnType<typeof createApp>;

const releases = new WeakMap<object, () => void>();

/** Releases what an app holds (file watcher, connections) without a server: for `app.handle` users. */
export function closeApp(app: GoodseedApp): void {
  releases.get(app)?.();
}
