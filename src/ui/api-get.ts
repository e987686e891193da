/**
 * How the page reads the JSON API of a goodseed server: a GET of one route of the
 * shared route table, and requests over many runs cut to the URL length. By default
 * the server that served the page; `?api=http://host:port` points the page at any
 * other one.
 */

import type { ApiPath, ApiRoutes } from "../api/api-routes.ts";
import { reportReachable, reportUnreachable } from "./connection.ts";
import { signInIfAsked } from "./sign-in.ts";

export const apiBase = (new URLSearchParams(location.search).get("api") ?? "").replace(/\/+$/, "");

export type GetPath = { [P in ApiPath]: ApiRoutes[P]["method"] extends "GET" ? P : never }[ApiPath];

/**
 * A GET of one route of the shared route table: its query and its answer are the
 * server's (`src/api/wire.ts`), so a route changed there fails this file's type check.
 */
export async function getJson<P extends GetPath, R = ApiRoutes[P]["response"]>(
  route: P,
  target: string,
  query: ApiRoutes[P]["query"],
): Promise<R> {
  void route;
  const response = await get(target, query as Record<string, QueryValue>);
  const body = (await response.json()) as R & { error?: string };
  failIfRefused(response, body);
  return body;
}

/**
 * A GET of a route that answers in binary where it succeeds (`/api/series/packed`):
 * the body's bytes, and an error as {@link getJson} says it.
 */
export async function getBytes<P extends GetPath>(
  route: P,
  query: ApiRoutes[P]["query"],
): Promise<ArrayBuffer> {
  const response = await get(route, query as Record<string, QueryValue>);
  // Success is binary; a refusal is the API's JSON error, as on every route.
  if (response.ok && response.headers.get("content-type")?.startsWith("application/octet-stream"))
    return response.arrayBuffer();
  failIfRefused(response, (await response.json()) as { error?: string });
  throw new Error(`HTTP ${response.status}: not a binary answer`);
}

async function get(target: string, query: Record<string, QueryValue>): Promise<Response> {
  const text = queryText(query);
  try {
    const response = await fetch(`${apiBase}${target}${text ? `?${text}` : ""}`);
    reportReachable();
    return response;
  } catch (error) {
    reportUnreachable(error as Error);
    throw error;
  }
}

/** Throws for an answer that asks to sign in (after starting to) or is an error. */
function failIfRefused(response: Response, body: { error?: string }): void {
  if (signInIfAsked(response, body, apiBase)) throw new Error("Signing in…");
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
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
export function chunked<T>(items: readonly T[], size: (item: T) => number): T[][] {
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

export const runParam = (run: { project: string; run_id: string }) =>
  `${run.project}/${run.run_id}`;
