/**
 * Who may talk to the local server (issue 13, item 4). The API has no authentication,
 * so the browser is the attacker to keep out:
 * - CORS answers only allowed origins: the server's own, loopback origins, the goodseed
 *   app's (`GOODSEED_APP_URL`) and those added with `--cors-origin`; `*` only when asked.
 * - A `Host` that is not an IP address, a loopback name, the bound name or an allowed
 *   origin's name gets 403: a DNS-rebound page sends its own name.
 * - State-changing requests (POST) from a browser need an allowed `Origin` and a JSON
 *   content type (which no form or no-cors request can send without a preflight).
 *
 * A request with neither `Origin` nor a cross-site `Sec-Fetch-Site` comes from no web
 * page (browsers send `Origin` on every POST and every cross-origin fetch): it gets the
 * Python server's answers unchanged, `Access-Control-Allow-Origin: *` included, which
 * no page can read through its cache thanks to `Vary: Origin`.
 */

export interface AccessOptions {
  /** Origins allowed besides loopback ones (`*` allows every origin). @default [] */
  readonly corsOrigins?: readonly string[] | undefined;
  /** The goodseed web app (GOODSEED_APP_URL): its origin is allowed. */
  readonly appUrl?: string | undefined;
  /** The address the server is bound to: a `Host` naming it is accepted. */
  readonly hostname?: string | undefined;
}

export type Verdict =
  | { readonly ok: true; readonly allowOrigin: string }
  | { readonly ok: false; readonly message: string };

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** The name in a `Host` header or an origin's host, without port and brackets, lower case. */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith("[")) return lower.slice(1, lower.indexOf("]"));
  const colon = lower.lastIndexOf(":");
  return colon >= 0 && lower.indexOf(":") === colon ? lower.slice(0, colon) : lower;
}

function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
}

function isLoopbackName(name: string): boolean {
  return (
    LOOPBACK_NAMES.has(name) || name.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(name)
  );
}

export class AccessPolicy {
  readonly #origins = new Set<string>();
  readonly #names = new Set<string>();
  readonly #any: boolean;

  constructor(options: AccessOptions = {}) {
    let any = false;
    for (const entry of options.corsOrigins ?? []) {
      if (entry.trim() === "*") any = true;
      else this.#allow(entry);
    }
    if (options.appUrl) this.#allow(options.appUrl);
    if (options.hostname) this.#names.add(hostName(options.hostname));
    this.#any = any;
  }

  #allow(url: string): void {
    const origin = originOf(url.trim());
    if (origin === undefined) return;
    this.#origins.add(origin);
    this.#names.add(hostName(new URL(origin).host));
  }

  /** Whether a page of `origin` may read answers and send POSTs. */
  originAllowed(origin: string): boolean {
    if (this.#any || this.#origins.has(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return (
      (url.protocol === "http:" || url.protocol === "https:") && isLoopbackName(hostName(url.host))
    );
  }

  /** Whether a `Host` header names this server (not a DNS-rebound name). */
  hostAllowed(host: string | null): boolean {
    if (host === null || host === "") return true;
    const name = hostName(host);
    return isIpLiteral(name) || isLoopbackName(name) || this.#names.has(name);
  }

  /** What to do with a request: refuse it (403) or answer with this `Access-Control-Allow-Origin`. */
  check(request: Request): Verdict {
    const headers = request.headers;
    if (!this.hostAllowed(headers.get("host")))
      return { ok: false, message: "Host not allowed: this server answers only its own names" };
    const origin = headers.get("origin");
    const site = headers.get("sec-fetch-site");
    const fromPage = origin !== null || site === "cross-site" || site === "same-site";
    if (!fromPage) return { ok: true, allowOrigin: "*" };
    const host = headers.get("host");
    const allowed =
      origin !== null &&
      (this.originAllowed(origin) ||
        (host !== null && originOf(origin) === originOf(`http://${host}`)));
    if (request.method === "POST" || request.method === "OPTIONS") {
      if (!allowed)
        return {
          ok: false,
          message: `Origin not allowed: ${origin ?? "(none)"}. Add it with goodseed serve --cors-origin`,
        };
      if (request.method === "POST" && !isJson(headers.get("content-type")))
        return {
          ok: false,
          message: "State-changing requests need Content-Type: application/json",
        };
    }
    return allowed
      ? { ok: true, allowOrigin: this.#any ? "*" : (origin as string) }
      : { ok: true, allowOrigin: "" };
  }
}

function isJson(contentType: string | null): boolean {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}
