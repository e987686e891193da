/**
 * The web UI's page at `/` and `/index.html`, with two things Bun's route for an HTML
 * import cannot add:
 * - headers that forbid framing the page (`X-Frame-Options`, CSP `frame-ancestors`):
 *   a page that framed the UI could lay it under its own and have a person click
 *   "Move to trash" on runs it chose through the URL;
 * - a look at the URL it was opened with: a link to compared runs (`?runs=p:a,p:b`,
 *   `?run=p:a`) tells the server which runs' charts the page will ask for some 0.5 s
 *   later, once its scripts have loaded and laid it out, and the server reads them
 *   meanwhile.
 *
 * Bun's HTML import answers only as a route of its own, with no hook: it is routed at
 * a path made up as the process starts ({@link PAGE_SOURCE}), which no other page can
 * know to frame, and the page is taken from there once, by the server asking itself.
 */

import type { HTMLBundle, Server } from "bun";
import { selfHost } from "./page-warmup.ts";

/** The most runs one page's link starts reading. @default 64 */
export const MAX_LINKED_RUNS = 64;

/** The runs a page's URL compares or details, `project:runId` each, at most {@link MAX_LINKED_RUNS}. */
export function linkedRuns(url: URL): { project: string; runId: string }[] {
  const keys = [...(url.searchParams.get("runs") ?? "").split(","), url.searchParams.get("run")];
  const runs = new Map<string, { project: string; runId: string }>();
  for (const key of keys) {
    if (!key || runs.size >= MAX_LINKED_RUNS) continue;
    const colon = key.lastIndexOf(":");
    if (colon <= 0 || colon === key.length - 1) continue;
    runs.set(key, { project: key.slice(0, colon), runId: key.slice(colon + 1) });
  }
  return [...runs.values()];
}

/** Where the bundled page itself is routed: a path no one outside this process knows. */
export const PAGE_SOURCE = `/_goodseed/page/${crypto.randomUUID()}`;

/** The headers of the bundled page that go with it. */
const KEPT_HEADERS = ["content-type", "etag", "cache-control"];

/** No page of any origin, this one's included, may show the UI in a frame. */
export const NO_FRAMING: Readonly<Record<string, string>> = {
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
};

/**
 * A route handler for the page: calls `opened` (if any) with the page's URL (which must
 * not hold the answer up), then answers with the page that {@link PAGE_SOURCE} serves
 * and {@link NO_FRAMING} (an ETag match is a 304, as Bun's route does).
 */
export function pageRoute(
  opened?: (url: URL) => void,
): (request: Request, server: Server<undefined>) => Promise<Response> {
  let page: Promise<{ body: string; headers: Headers }> | undefined;
  return async (request, server) => {
    if (request.method === "GET") opened?.(new URL(request.url));
    page ??= fetch(`http://${selfHost(server.hostname ?? "")}:${server.port}${PAGE_SOURCE}`).then(
      async (response) => {
        if (!response.ok) throw new Error(`the page answered ${response.status}`);
        const headers = new Headers(NO_FRAMING);
        for (const name of KEPT_HEADERS) {
          const value = response.headers.get(name);
          if (value !== null) headers.set(name, value);
        }
        return { body: await response.text(), headers };
      },
    );
    let kept: { body: string; headers: Headers };
    try {
      kept = await page;
    } catch (error) {
      page = undefined;
      throw error;
    }
    const etag = kept.headers.get("etag");
    if (etag !== null && request.headers.get("if-none-match") === etag)
      return new Response(null, { status: 304, headers: { etag, ...NO_FRAMING } });
    return new Response(request.method === "HEAD" ? null : kept.body, { headers: kept.headers });
  };
}

/** The routes of the web UI's page: its hidden source, and `/` and `/index.html` that answer with it. */
export function pageRoutes(bundle: HTMLBundle, opened?: (url: URL) => void) {
  const handler = pageRoute(opened);
  // GET and HEAD, as Bun's route for an HTML import answers both.
  const methods = { GET: handler, HEAD: handler };
  return { [PAGE_SOURCE]: bundle, "/": methods, "/index.html": methods };
}
