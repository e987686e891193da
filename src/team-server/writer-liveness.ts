/** Whether a `running` run's writer is alive, as the team server can tell. */

import type { WriterLiveness } from "../api/read-store.ts";

/**
 * A `running` run on the server lives while its writer's heartbeat keeps arriving
 * (both clients send one while they run). A run that never sent one is judged by its
 * last upload (`updated_ms`); once a heartbeat came, only heartbeats count, since an
 * edit from the web UI also moves `updated_ms`.
 */
export function judgeUploads(
  heartbeatMs: number | undefined,
  updatedMs: number,
  now: number,
  staleMs: number,
): WriterLiveness {
  const beat = heartbeatMs !== undefined && Number.isFinite(heartbeatMs);
  const last = beat ? heartbeatMs : updatedMs;
  const age = Math.max(0, Math.round((now - last) / 1000));
  const what = beat
    ? "its writer's last heartbeat"
    : "its writer's last upload (it sent no heartbeat)";
  return now - last < staleMs
    ? {
        state: "live",
        status: "running",
        reason: `${what} reached the server ${age} s ago`,
        lastSignMs: last,
      }
    : {
        state: "dead",
        status: "running",
        reason: `${what} reached the server ${age} s ago: the process has stopped or is cut off`,
        lastSignMs: last,
      };
}
