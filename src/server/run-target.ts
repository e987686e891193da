/**
 * The per-run routes as the Python server matches them: a regex on the whole
 * percent-decoded path, so that `acme%2Fvision` and `acme/vision` are the same project
 * (`<project>` is greedy and may contain `/`, `<run>` is one segment).
 */

import { notFound } from "./http-error.ts";

export type RunEndpoint =
  | "configs"
  | "metrics"
  | "metric-paths"
  | "string_series"
  | "trash"
  | "trash/restore";

export interface RunTarget {
  readonly endpoint: RunEndpoint;
  readonly project: string;
  readonly runId: string;
}

const GET_ENDPOINTS = new Set<RunEndpoint>(["configs", "metrics", "metric-paths", "string_series"]);
const POST_ENDPOINTS = new Set<RunEndpoint>(["trash", "trash/restore"]);
const RUN_PATH =
  /^\/api\/runs\/(.+)\/([^/]+)\/(configs|metrics|metric-paths|string_series|trash\/restore|trash)$/s;

/** The run endpoint that a decoded path names for `method`, or a 404. */
export function runTarget(method: "GET" | "POST", path: string): RunTarget {
  const match = RUN_PATH.exec(path);
  if (!match) throw notFound();
  const endpoint = match[3] as RunEndpoint;
  if (!(method === "GET" ? GET_ENDPOINTS : POST_ENDPOINTS).has(endpoint)) throw notFound();
  return { endpoint, project: match[1] as string, runId: match[2] as string };
}
