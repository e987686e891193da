/**
 * The check that a known API key is still valid (not revoked), folded into the query a
 * read makes anyway: a request with a key this process verified before carries a
 * pending check through its handling, and the first run lookup answers it in its own
 * query. A read that made no lookup is checked after it, before its answer is sent, so
 * a revoked key is refused on its very next request, by every server process.
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { SQL } from "bun";

export interface KeyCheck {
  /** The key's row id. */
  readonly keyId: number;
  state: "pending" | "valid" | "revoked";
}

const current = new AsyncLocalStorage<KeyCheck>();

/** Runs `work` with `check` pending for the queries it makes. */
export function withKeyCheck<T>(check: KeyCheck, work: () => T): T {
  return current.run(check, work);
}

/** The check pending for the request being handled, if any. */
export function pendingKeyCheck(): KeyCheck | undefined {
  const check = current.getStore();
  return check?.state === "pending" ? check : undefined;
}

/** Whether the key with row id `keyId` exists and is not revoked: its own round trip. */
export async function keyIsValid(sql: SQL, keyId: number): Promise<boolean> {
  const [row] =
    await sql`SELECT count(*) AS n FROM api_keys WHERE id = ${keyId} AND revoked_at IS NULL`;
  return Number(row.n) > 0;
}
