/**
 * The team server's HTTP handler: authentication (Bearer key or session cookie), the
 * remote protocol under `/api/v1`, the local JSON API of `goodseed serve`, sign-in,
 * `/health`, a bound on requests in flight (503 + Retry-After beyond it), a request
 * rate limit per API key (429 + Retry-After beyond it), a JSON request log line per request, and database outages answered 503 until it is back.
 */

import { createApp, type GoodseedApp } from "../server/app.ts";
import { ColumnsMemo } from "../server/columnar-series.ts";
import { ApiError, apiErrorBody, isApiError } from "./api-error.ts";
import { Callers } from "./callers.ts";
import type { Database } from "./database.ts";
import { isRetryable, isUnavailable } from "./database-errors.ts";
import { type KeyCheck, keyIsValid, withKeyCheck } from "./key-check.ts";
import type { Principal } from "./keys.ts";
import { DEFAULT_RATE_LIMIT, RateLimiter } from "./rate-limit.ts";
import { DatabaseReadStore } from "./read-store.ts";
import { remoteRoute, remoteSegments } from "./remote-routes.ts";
import { bufferBody, MAX_BODY_BYTES } from "./request-body.ts";
import { databaseRunEditor } from "./run-editor.ts";
import { RunSummaries } from "./run-summaries.ts";
import { SeriesStore } from "./series-store.ts";
import { SIGNIN_PAGE } from "./signin-page.ts";
import { WARM_UP_WORKSPACE, warmUp } from "./warm-up.ts";

export interface TeamAppOptions {
  readonly db: Database;
  /** Workspace whose projects keep their bare names in the local API. @default "default" */
  readonly homeWorkspace?: string;
  /** Create projects on first upload. @default true */
  readonly createProjects?: boolean;
  /** Requests handled at once; more are answered 503 with Retry-After. @default 64 */
  readonly maxInFlight?: number;
  /**
   * Requests a second per API key (a token bucket holding one second's worth, in this
   * process); more are answered 429 with Retry-After. 0 turns it off.
   * @default 1000
   */
  readonly rateLimit?: number;
  /**
   * Series of at least this many points are viewed the first time without being held
   * in memory (streamed through the downsampling); asked again, they are held.
   * @default 100000
   */
  readonly streamViewsFrom?: number;
  /** One JSON line per request. @default silent */
  readonly log?: (line: string) => void;
  /** Lifetime of a browser session. @default 30 days */
  readonly sessionTtlMs?: number;
  /** A `running` run whose heartbeat is older than this reads as dead (`/api/liveness`). @default 60 s */
  readonly writerStaleMs?: number;
  /** The address the server is bound to (a `Host` naming it is accepted). */
  readonly hostname?: string;
  /** URLs the server is reached at and pages allowed to call it (their names are accepted as `Host`). @default [] */
  readonly publicUrls?: readonly string[];
}

export interface TeamApp {
  handle(request: Request): Promise<Response>;
  /** Requests being handled now. */
  readonly inFlight: number;
  /** Runs the read path once (warm-up.ts): call before listening. */
  warmUp(): Promise<void>;
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
} as const;

async function bufferedBody(request: Request): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(request.headers.get("content-length") ?? "0") > MAX_BODY_BYTES)
    throw new ApiError(413, "Request.TooLarge", `the request body is over ${MAX_BODY_BYTES} bytes`);
  return new Uint8Array(await request.arrayBuffer());
}

/** A preflight that asks to send `Authorization` (the UI's `?api=` mode) may, where CORS allows the page at all. */
function withPreflight(response: Response, request: Request): Response {
  const asked = request.headers.get("access-control-request-headers") ?? "";
  if (response.headers.has("access-control-allow-origin") && /authorization/i.test(asked))
    response.headers.set("access-control-allow-headers", "Content-Type, Authorization");
  return response;
}

/** Errors of the local API carry the CORS headers `goodseed serve` sends to a request from no page. */
function withCors(response: Response, request: Request): Response {
  if (request.headers.get("origin") !== null) return response;
  for (const [key, value] of Object.entries(CORS)) response.headers.set(key, value);
  response.headers.set("access-control-allow-headers", "Content-Type");
  return response;
}

export function createTeamApp(options: TeamAppOptions): TeamApp {
  const { db } = options;
  const series = new SeriesStore({ streamViewsFrom: options.streamViewsFrom });
  // One for every key's app: the views are of the same series arrays.
  const columnsMemo = new ColumnsMemo();
  const summaries = new RunSummaries();
  /** The read API of `goodseed serve` over the database, one per key (its workspaces). */
  const apps = new Map<string, GoodseedApp>();
  const appFor = (principal: Principal | undefined): GoodseedApp => {
    const id =
      principal === undefined ? "" : `${principal.id}:${[...principal.roles].sort().join(",")}`;
    let app = apps.get(id);
    if (app) {
      apps.delete(id);
      apps.set(id, app);
      return app;
    }
    const who = principal ?? { id: 0, name: "", defaultWorkspace: "", roles: new Map() };
    const store = new DatabaseReadStore({
      sql: db.sql,
      principal: who,
      home,
      series,
      summaries,
      writerStaleMs: options.writerStaleMs,
    });
    app = createApp({
      store,
      editor: databaseRunEditor({ sql: db.sql, principal: who }),
      hostname: options.hostname,
      corsOrigins: options.publicUrls ?? [],
      // The series store only appends into spare room of the arrays it hands out.
      memoizeBuckets: true,
      columnsMemo,
    });
    apps.set(id, app);
    if (apps.size > 256) apps.delete(apps.keys().next().value as string);
    return app;
  };
  const home = options.homeWorkspace ?? "default";
  const maxInFlight = options.maxInFlight ?? 64;
  const limiter = new RateLimiter({ ratePerS: options.rateLimit ?? DEFAULT_RATE_LIMIT });
  const callers = new Callers(db, options.sessionTtlMs ?? 30 * 24 * 3600 * 1000);
  const writeOptions = { createProjects: options.createProjects ?? true };
  let inFlight = 0;

  /** `admission.counted`: the request already took its token (a retried attempt takes none). */
  async function route(request: Request, admission: { counted: boolean }): Promise<Response> {
    const segments = remoteSegments(request.url);
    const path = new URL(request.url).pathname;
    if (path === "/health") {
      await db.sql`SELECT 1`;
      return new Response('{"status": "ok", "database": "ok"}', {
        headers: { "content-type": "application/json" },
      });
    }
    if (path === "/api/session" || path === "/api/session/logout") return callers.session(request);
    if (path === "/signin" && request.method === "GET")
      return new Response(SIGNIN_PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
    if (request.method === "OPTIONS")
      return withPreflight(await appFor(undefined).handle(request), request);
    const caller = await callers.of(request);
    const { principal } = caller;
    // Before any work for the request: a refused one changes nothing.
    if (!admission.counted) {
      admission.counted = true;
      const decision = limiter.take(principal.id);
      if (!decision.allowed)
        throw new ApiError(
          429,
          "Key.RateLimited",
          `this API key made more than ${limiter.ratePerS} requests a second; retry in ${decision.retryAfterS} s`,
          { retryAfterS: decision.retryAfterS },
        );
    }
    // A read of the local API checks a known key in its run lookup (or after, before
    // its answer goes out); anything else, before it does any work.
    const read = segments === undefined && (request.method === "GET" || request.method === "HEAD");
    if (!caller.checked && !read && !(await keyIsValid(db.sql, principal.id)))
      throw callers.revoked(caller);
    if (segments !== undefined)
      return remoteRoute(request, segments, {
        sql: db.sql,
        principal,
        series,
        options: writeOptions,
      });
    if (caller.checked || !read) return appFor(principal).handle(request);
    const check: KeyCheck = { keyId: principal.id, state: "pending" };
    const response = await withKeyCheck(check, () => appFor(principal).handle(request));
    if (check.state === "pending")
      check.state = (await keyIsValid(db.sql, principal.id)) ? "valid" : "revoked";
    if (check.state === "revoked") throw callers.revoked(caller);
    return response;
  }

  function errorResponse(error: unknown, request: Request): Response {
    const local = !request.url.includes("/api/v1/");
    if (isApiError(error)) {
      const response = new Response(apiErrorBody(error), {
        status: error.status,
        headers: { "content-type": "application/json" },
      });
      if (error.retryAfterS !== undefined)
        response.headers.set("retry-after", String(error.retryAfterS));
      return local ? withCors(response, request) : response;
    }
    if (isUnavailable(error)) {
      const unavailable = new ApiError(
        503,
        "Database.Unavailable",
        "the database cannot be reached right now; retry shortly",
        { retryAfterS: 2 },
      );
      return errorResponse(unavailable, request);
    }
    const message = error instanceof Error ? error.message : String(error);
    return errorResponse(new ApiError(500, "Server.Error", message), request);
  }

  return {
    get inFlight() {
      return inFlight;
    },
    async warmUp() {
      // A key id no row has, with a role in a workspace no key can have: its app is
      // made, used once and forgotten.
      const nobody: Principal = {
        id: 0,
        name: "",
        defaultWorkspace: WARM_UP_WORKSPACE,
        roles: new Map([[WARM_UP_WORKSPACE, "viewer"]]),
      };
      const host = options.hostname ?? "127.0.0.1";
      const origin = `http://${host.includes(":") ? `[${host}]` : host}`;
      const app = appFor(nobody);
      await warmUp(db, series, (url) =>
        app.handle(new Request(url.replace("http://127.0.0.1", origin))),
      );
      for (const [id, cached] of apps) if (cached === app) apps.delete(id);
    },
    async handle(request: Request): Promise<Response> {
      const started = performance.now();
      let response: Response;
      if (inFlight >= maxInFlight) {
        response = errorResponse(
          new ApiError(503, "Server.Overloaded", "too many requests in flight; retry shortly", {
            retryAfterS: 1,
          }),
          request,
        );
      } else {
        inFlight++;
        try {
          // A deadlock or serialization failure rolled the transaction back: run it again,
          // from a copy of the body.
          const body = request.method === "POST" ? await bufferedBody(request) : undefined;
          // The remote protocol reads bodies through readBody, which takes them as
          // buffered: no copy of the request per attempt.
          const remote = body !== undefined && remoteSegments(request.url) !== undefined;
          if (remote) bufferBody(request, body);
          const admission = { counted: false };
          for (let attempt = 0; ; attempt++) {
            const copy =
              body === undefined || remote
                ? request
                : new Request(request.url, {
                    method: request.method,
                    headers: request.headers,
                    body,
                  });
            try {
              response = await route(copy, admission);
              break;
            } catch (error) {
              if (attempt < 3 && isRetryable(error)) continue;
              response = errorResponse(error, request);
              break;
            }
          }
        } catch (error) {
          response = errorResponse(error, request);
        } finally {
          inFlight--;
        }
      }
      options.log?.(
        JSON.stringify({
          time: new Date().toISOString(),
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        }),
      );
      return response;
    },
  };
}
