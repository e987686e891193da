/**
 * Routing of `/api/v1/...`: each path segment percent-decoded on its own (a `%2F`
 * stays inside its segment), a doubled slash from a base URL's trailing `/` ignored.
 */

import type { SQL } from "bun";
import { parseQuery, percentDecode } from "../server/url-decoding.ts";
import { ApiError } from "./api-error.ts";
import { parsePoints, writePoints } from "./ingest.ts";
import type { Principal } from "./keys.ts";
import {
  registerRun,
  type WriteOptions,
  writeConfigs,
  writeHeartbeat,
  writeStatus,
} from "./registry.ts";
import {
  createProject,
  meBody,
  metricDataBody,
  pathsBody,
  projectRunsBody,
  projectsListBody,
  runBody,
  stringDataBody,
  workspacesBody,
} from "./remote-reads.ts";
import { readJson } from "./request-body.ts";
import type { SeriesStore } from "./series-store.ts";

export interface RemoteContext {
  readonly sql: SQL;
  readonly principal: Principal;
  readonly series: SeriesStore;
  readonly options: WriteOptions;
}

/** Segments after `/api/v1`, or undefined when the path is not under it. */
export function remoteSegments(url: string): string[] | undefined {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  let path = start < 0 ? "/" : url.slice(start);
  const cut = path.search(/[?#]/);
  if (cut >= 0) path = path.slice(0, cut);
  const segments = path.split("/").filter((segment, i) => i > 0 && !(segment === "" && i === 1));
  while (segments[0] === "") segments.shift();
  if (segments[0] !== "api" || segments[1] !== "v1") return undefined;
  return segments.slice(2).map(percentDecode);
}

const json = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "application/json" } });
const notFound = (path: string) => new ApiError(404, "Route.NotFound", `no such endpoint: ${path}`);

export async function remoteRoute(
  request: Request,
  segments: string[],
  context: RemoteContext,
): Promise<Response> {
  const { sql, principal } = context;
  const method = request.method;
  const query = parseQuery(new URL(request.url).search);
  const [head, id, action, sub] = segments;
  const where = `/${segments.join("/")}`;
  if (head === "runs") {
    if (segments.length === 1 && method === "POST")
      return json(
        JSON.stringify({
          id: await registerRun(sql, principal, await readJson(request), context.options),
        }),
      );
    if (id === undefined) throw notFound(where);
    if (segments.length === 2 && method === "GET") return json(await runBody(sql, principal, id));
    if (segments.length === 3 && method === "POST") {
      switch (action) {
        case "configs": {
          // Exactly 204 even when items were left out: the Python client counts nothing
          // else as success and would resend the batch forever. They are named in a header.
          const rejected = await writeConfigs(sql, principal, id, await readJson(request));
          const headers: Record<string, string> = {};
          if (rejected.length > 0)
            headers["x-goodseed-rejected"] = rejected
              .map((item) => `${item.index}: ${item.error}`)
              .join("; ")
              .slice(0, 4000);
          return new Response(null, { status: 204, headers });
        }
        case "ingest": {
          const parsed = parsePoints(await readJson(request), Date.now());
          await writePoints(sql, principal, id, parsed);
          return json(JSON.stringify({ stored: parsed.accepted, rejected: parsed.rejected }));
        }
        case "status":
          await writeStatus(sql, principal, id, await readJson(request));
          return json("{}");
        case "heartbeat":
          await writeHeartbeat(sql, principal, id);
          return json("{}");
      }
    }
    if (method === "GET" && action === "paths" && segments.length === 3)
      return json(await pathsBody(sql, principal, id));
    if (method === "GET" && action === "data" && segments.length === 4) {
      if (sub === "metrics")
        return json(await metricDataBody(sql, principal, id, query, context.series));
      if (sub === "strings") return json(await stringDataBody(sql, principal, id, query));
    }
    throw notFound(where);
  }
  if (head === "auth" && id === "me" && segments.length === 2 && method === "GET")
    return json(meBody(principal));
  if (head === "workspaces") {
    if (segments.length === 1 && method === "GET") return json(workspacesBody(principal));
    if (id !== undefined && action === "projects") {
      if (segments.length === 3 && method === "GET")
        return json(await projectsListBody(sql, principal, id));
      if (segments.length === 3 && method === "POST")
        return json(await createProject(sql, principal, id, await readJson(request)));
      if (segments.length === 5 && segments[4] === "runs" && method === "GET" && sub !== undefined)
        return json(await projectRunsBody(sql, principal, id, sub));
    }
  }
  throw notFound(where);
}
