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
 * The liveness of the run open as `db`; `walModifiedMs` is its WAL's last write.
 * `lastSign` finds the last sign of life (it scans the points: a caller may keep it
 * while the file's version holds).
 */
export function fileLiveness(
  db: Database,
  walModifiedMs: number | undefined,
  lastSign: (compute: () => number | undefined) => number | undefined = (compute) => compute(),
): WriterLiveness {
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
    lastSignMs: lastSign(() => lastSignOfLife(db, meta, walModifiedMs)),
  };
}
