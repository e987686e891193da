/**
 * The app's answers: JSON bodies with the CORS headers that the access policy allowed
 * for their request, errors as `{"error": message}`, preflights, and timing headers.
 */

import type { JsonText } from "../api/wire.ts";
import type { AccessPolicy } from "./access.ts";
import type { JsonStream } from "./bodies.ts";
import { acceptsGzip, COMPRESS_FROM_CHARS, gzipText } from "./compression.ts";
import { HeadedBody } from "./headed-body.ts";
import type { ListBody } from "./list-bodies.ts";

/** What a route answers with: JSON text, JSON streamed as it is written, or with a kept head. */
export type Body = JsonText<unknown> | JsonStream<unknown> | HeadedBody;

export class Replies {
  /** The `Access-Control-Allow-Origin` each request is answered with ("" for none). */
  readonly #allowed = new WeakMap<Request, string>();
  readonly #access: AccessPolicy;

  constructor(access: AccessPolicy) {
    this.#access = access;
  }

  /** Checks a request against the access policy: a 403 to answer at once, or nothing. */
  admit(request: Request): Response | undefined {
    const verdict = this.#access.check(request);
    if (!verdict.ok) return this.error(request, 403, verdict.message);
    this.#allowed.set(request, verdict.allowOrigin);
    return undefined;
  }

  headersFor(request: Request, json = true): Record<string, string> {
    const origin = this.#allowed.get(request) ?? "";
    const headers: Record<string, string> = json ? { "content-type": "application/json" } : {};
    if (origin !== "") {
      headers["access-control-allow-origin"] = origin;
      headers["access-control-allow-methods"] = "GET, POST, OPTIONS";
      headers["access-control-allow-headers"] = "Content-Type";
    }
    headers.vary = "Origin";
    return headers;
  }

  /** The answer, gzipped when it is long and the client takes gzip (`gzipped`: done already). */
  reply(request: Request, body: Body, status = 200, gzipped?: Uint8Array): Response {
    const headers = this.headersFor(request);
    if (body instanceof HeadedBody) {
      if (body.length >= COMPRESS_FROM_CHARS && acceptsGzip(request)) {
        headers["content-encoding"] = "gzip";
        headers.vary = "Origin, Accept-Encoding";
        return new Response(body.gzip(), { status, headers });
      }
      return new Response(body.bytes(), { status, headers });
    }
    if (typeof body === "string" && body.length >= COMPRESS_FROM_CHARS && acceptsGzip(request)) {
      headers["content-encoding"] = "gzip";
      headers.vary = "Origin, Accept-Encoding";
      return new Response(gzipped ?? gzipText(body, 1), { status, headers });
    }
    return new Response(body, { status, headers });
  }

  /**
   * A binary answer (`/api/series/packed`), as it is: float64 columns, which gzip
   * shrinks by a third at most, for more time than sending them takes.
   */
  replyBytes(request: Request, body: Uint8Array): Response {
    const headers = this.headersFor(request, false);
    headers["content-type"] = "application/octet-stream";
    return new Response(body, { headers });
  }

  /** A kept list body, sent as its kept gzip where the client takes gzip. */
  replyList(request: Request, body: ListBody): Response {
    return this.reply(request, body.text, 200, body.gzip);
  }

  error(request: Request, status: number, message: string): Response {
    return this.reply(request, JSON.stringify({ error: message }), status);
  }

  /** The answer to a CORS preflight (`OPTIONS`), with Private Network Access when asked. */
  preflight(request: Request): Response {
    const headers = this.headersFor(request, false);
    if (
      request.headers.get("access-control-request-private-network") === "true" &&
      this.#allowed.get(request)
    )
      headers["access-control-allow-private-network"] = "true";
    return new Response(null, { status: 204, headers });
  }
}

/** Adds a `Server-Timing` entry `series` saying where the series came from and how long it took. */
export function withSeriesTiming(response: Response, source: string, ms: number): Response {
  response.headers.set("server-timing", `series;desc="${source}";dur=${ms.toFixed(1)}`);
  return response;
}
