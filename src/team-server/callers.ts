/**
 * Who sends a request to the team server: a Bearer API key, or the session cookie the
 * browser got by signing in with one (`/api/session`, HttpOnly, SameSite=Strict).
 */

import { unauthorized } from "./api-error.ts";
import type { Database } from "./database.ts";
import {
  createSession,
  deleteSession,
  hashKey,
  type Principal,
  verifyKey,
  verifySession,
} from "./keys.ts";
import { readJson } from "./request-body.ts";

const SESSION_COOKIE = "goodseed_session";
/** Keys verified by this process, remembered at most (by their SHA-256). */
const MAX_KNOWN_KEYS = 10_000;
const INVALID_KEY = "the API key is not valid (unknown, malformed or revoked)";

/** Who sent a request; `checked` false: a key known from before, whose revocation is still to be checked. */
export interface Caller {
  readonly principal: Principal;
  readonly checked: boolean;
  /** The SHA-256 of the key (hex), when it came as one. */
  readonly keyHash?: string;
}

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

export class Callers {
  /**
   * Keys this process verified, by their SHA-256: a key's roles never change, so a known
   * key needs only the check that it was not revoked since, which a read folds into its
   * run lookup (key-check.ts). Looked up by the hash, so no time depends on the secret.
   */
  readonly #knownKeys = new Map<string, Principal>();

  constructor(
    private readonly db: Database,
    private readonly sessionTtlMs: number,
  ) {}

  /** The caller of `request` (401 for none, an unknown key or an expired session). */
  async of(request: Request): Promise<Caller> {
    const header = request.headers.get("authorization");
    if (header !== null) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const key = match?.[1];
      const keyHash = key === undefined ? "" : Buffer.from(hashKey(key)).toString("hex");
      const known = this.#knownKeys.get(keyHash);
      if (known) return { principal: known, checked: false, keyHash };
      const principal = key === undefined ? undefined : await verifyKey(this.db, key);
      if (!principal) throw unauthorized(INVALID_KEY);
      if (this.#knownKeys.size >= MAX_KNOWN_KEYS) this.#knownKeys.clear();
      this.#knownKeys.set(keyHash, principal);
      return { principal, checked: true, keyHash };
    }
    const token = cookie(request, SESSION_COOKIE);
    const principal = token ? await verifySession(this.db, token) : undefined;
    if (!principal) throw unauthorized();
    return { principal, checked: true };
  }

  /** The 401 for a caller whose key turned out revoked; the key is forgotten. */
  revoked(caller: Caller): Error {
    if (caller.keyHash !== undefined) this.#knownKeys.delete(caller.keyHash);
    return unauthorized(INVALID_KEY);
  }

  /** `/api/session`: signs in with a key (a session cookie), or out (`DELETE`, `/logout`). */
  async session(request: Request): Promise<Response> {
    if (request.method === "DELETE" || new URL(request.url).pathname.endsWith("/logout")) {
      const token = cookie(request, SESSION_COOKIE);
      if (token) await deleteSession(this.db, token);
      return new Response('{"ok": true}', {
        headers: {
          "content-type": "application/json",
          "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
        },
      });
    }
    const body = (await readJson(request)) as { key?: unknown } | null;
    const key = typeof body?.key === "string" ? body.key : "";
    const principal = await verifyKey(this.db, key);
    if (!principal) throw unauthorized(INVALID_KEY);
    const token = await createSession(this.db, principal, this.sessionTtlMs);
    return new Response(JSON.stringify({ ok: true, workspace: principal.defaultWorkspace }), {
      headers: {
        "content-type": "application/json",
        "set-cookie": `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.sessionTtlMs / 1000)}`,
      },
    });
  }
}
