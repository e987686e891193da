/**
 * Whether the process that left a run `running` is still writing it: the same host
 * and a live pid, and a heartbeat in `run_meta` within the last minute.
 */

import { hostname } from "node:os";
import { parseIsoDate } from "../values/time.ts";

export const HEARTBEAT_STALE_MS = 60_000;

export interface WriterVerdict {
  readonly alive: boolean;
  /** Why, in words fit for a message. */
  readonly reason: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function judgeWriter(meta: ReadonlyMap<string, string>, now = Date.now()): WriterVerdict {
  const host = meta.get("writer_host");
  const pid = Number(meta.get("writer_pid"));
  const heartbeatText = meta.get("heartbeat_at");
  const heartbeat = heartbeatText === undefined ? undefined : parseIsoDate(heartbeatText);
  const who =
    host !== undefined && Number.isInteger(pid) ? `process ${pid} on ${host}` : "its writer";
  if (host === hostname() && Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) {
    return { alive: false, reason: `${who} has exited` };
  }
  if (heartbeat === undefined) {
    return { alive: false, reason: `${who} never wrote a heartbeat` };
  }
  const age = now - heartbeat.getTime();
  if (age >= HEARTBEAT_STALE_MS) {
    return {
      alive: false,
      reason: `${who} wrote its last heartbeat ${Math.round(age / 1000)} s ago`,
    };
  }
  return {
    alive: true,
    reason: `${who} wrote a heartbeat ${Math.max(0, Math.round(age / 1000))} s ago`,
  };
}
