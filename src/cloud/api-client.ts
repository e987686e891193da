/**
 * The remote API of goodseed (FORMAT.md §12): `Authorization: Bearer`, JSON bodies,
 * gzip for the large ones, a timeout on every request. Nothing here throws for HTTP
 * trouble: every call returns an outcome that says whether to retry.
 */

export const REQUEST_TIMEOUT_MS = 30_000;

export type Outcome<T = unknown> =
  | { readonly kind: "ok"; readonly status: number; readonly body: T }
  /** Network error (status 0), 429 or 5xx: try again later, not before `retryAfterMs`. */
  | {
      readonly kind: "retry";
      readonly status: number;
      readonly message: string;
      readonly retryAfterMs: number | undefined;
    }
  /** 4xx other than 429: retrying will not help. `errorCode`: the body's `error_code`, if any. */
  | {
      readonly kind: "fatal";
      readonly status: number;
      readonly message: string;
      readonly errorCode?: string | undefined;
    };

export interface ApiOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** The app's URL, for messages that say where to create a project. */
  readonly appUrl?: string;
  readonly fetch?: typeof fetch;
  /** A request that has not answered after this long is abandoned (a retry). @default 30000 */
  readonly timeoutMs?: number;
}

/** `Retry-After` as milliseconds: seconds or an HTTP date. */
function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeError(status: number, body: unknown, fallback: string): string {
  if (typeof body === "object" && body !== null) {
    const { title, detail, error } = body as { title?: unknown; detail?: unknown; error?: unknown };
    const parts = [title, detail, error].filter((part) => typeof part === "string" && part !== "");
    if (parts.length > 0) return `HTTP ${status}: ${[...new Set(parts)].join(": ")}`;
  }
  return `HTTP ${status}${fallback ? `: ${fallback}` : ""}`;
}

/** A request that got no answer (refused, dropped, timed out, aborted): worth retrying. */
function unanswered(error: unknown): Outcome<never> {
  return {
    kind: "retry",
    status: 0,
    message: error instanceof Error ? error.message : String(error),
    retryAfterMs: undefined,
  };
}

export class ApiClient {
  readonly baseUrl: string;
  readonly appUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #aborted = new AbortController();

  constructor(options: ApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.appUrl = (options.appUrl ?? "https://app.goodseed.ai").replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  /** Ends the requests in flight at once (as failed, retryable), and any made later. */
  abort(): void {
    this.#aborted.abort(new Error("the upload was stopped"));
  }

  /** One request. `body` is sent as JSON text; with `gzip`, compressed at level 6. */
  async request<T = unknown>(
    method: "GET" | "POST",
    path: string,
    options: {
      body?: string;
      gzip?: boolean;
      query?: Record<string, string | number | undefined>;
    } = {},
  ): Promise<Outcome<T>> {
    let url = `${this.baseUrl}${path}`;
    const query = Object.entries(options.query ?? {}).filter(([, value]) => value !== undefined);
    if (query.length > 0) {
      url += `?${new URLSearchParams(query.map(([key, value]): [string, string] => [key, String(value)]))}`;
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#apiKey}` };
    let body: string | Uint8Array | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      if (options.gzip) {
        headers["Content-Encoding"] = "gzip";
        body = Bun.gzipSync(new TextEncoder().encode(options.body), { level: 6 });
      } else {
        body = options.body;
      }
    }
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: method === "POST" ? (body ?? "") : undefined,
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#aborted.signal]),
      } as RequestInit);
    } catch (error) {
      return unanswered(error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The connection broke while the answer was read: nothing is known to have arrived.
      return unanswered(error);
    }
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    if (response.ok) return { kind: "ok", status: response.status, body: parsed as T };
    const message = describeError(
      response.status,
      parsed,
      typeof parsed === "string" ? parsed.slice(0, 200) : "",
    );
    if (response.status === 429 || response.status >= 500) {
      return {
        kind: "retry",
        status: response.status,
        message,
        retryAfterMs: retryAfter(response.headers.get("retry-after")),
      };
    }
    const code = (parsed as { error_code?: unknown } | undefined)?.error_code;
    return {
      kind: "fatal",
      status: response.status,
      message,
      errorCode: typeof code === "string" ? code : undefined,
    };
  }
}

/** Exponential backoff with half jitter, capped: 0.5 s, 1 s, 2 s, … (from `baseMs`) up to `capMs`. */
export function backoffMs(attempt: number, capMs = 60_000, baseMs = 500): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
