/** The monitoring namespace of a process and thread (FORMAT.md §8). */

import { hostname } from "node:os";
import { threadId } from "node:worker_threads";

export interface MonitoringIdentity {
  readonly namespace: string;
  readonly hostname: string;
  readonly pid: number;
  readonly tid: number;
}

/**
 * `monitoring/` + the first 8 hex digits of MD5 over `hostname:pid:tid`; an explicit
 * namespace replaces the whole prefix (trailing `/` stripped).
 */
export function monitoringIdentity(explicit: string | undefined): MonitoringIdentity {
  const host = hostname();
  const pid = process.pid;
  const tid = threadId;
  if (explicit !== undefined && explicit.replace(/\/+$/, "") !== "") {
    return { namespace: explicit.replace(/\/+$/, ""), hostname: host, pid, tid };
  }
  const digest = new Bun.CryptoHasher("md5").update(`${host}:${pid}:${tid}`).digest("hex");
  return { namespace: `monitoring/${digest.slice(0, 8)}`, hostname: host, pid, tid };
}
