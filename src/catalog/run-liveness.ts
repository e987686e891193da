/**
 * The liveness answer for a run file (`ReadStore.liveness`): the verdict of
 * `run/liveness.ts` (the pid on this host, our heartbeat, the file's signs of life),
 * with the last sign of life of a dead writer, which is what the UI freezes its
 * duration at.
 */

import type { Database } from "bun:sqlite";
import type { WriterLiveness } from "../api/read-store.ts";
import { judgeRunFile, lastSignOfLife } from "../run/liveness.ts";

function runMeta(db: Database): Map<string, string> {
  const meta = new Map<string, string>();
  for (const row of db
    .query<{ key: string; value: string | null }, []>("SELECT key, value FROM run_meta")
    .all())
    if (row.value !== null) meta.set(row.key, row.value);
  return meta;
}

/**
 * The liveness of the run open as `db`; `walModifiedMs` is its WAL's last write. A
 * dead verdict may scan the points (for the last write): a caller keeps it while the
 * file does not change.
 */
export function fileLiveness(db: Database, walModifiedMs: number | undefined): WriterLiveness {
  const meta = runMeta(db);
  const status = meta.get("status") ?? "unknown";
  if (status !== "running")
    return { state: "unknown", status, reason: `the run is not running (status: ${status})` };
  const verdict = judgeRunFile(db, meta, walModifiedMs);
  if (verdict.alive) return { state: "live", status, reason: verdict.reason };
  return {
    state: "dead",
    status,
    reason: verdict.reason,
    lastSignMs: lastSignOfLife(db, meta, walModifiedMs),
  };
}
