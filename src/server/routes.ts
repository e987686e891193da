/**
 * Request routing as the Python server does it: regexes on the whole percent-decoded
 * path, so that `acme%2Fvision` and `acme/vision` are the same project. A project or
 * run id that could point outside the served directory is a 404, never a file access.
 */

import { resolve, sep } from "node:path";
import { projectProblem } from "../settings/home-layout.ts";
import { HttpError, notFound, runNotFound } from "./http-error.ts";

export type RunEndpoint =
  | "configs"
  | "metrics"
  | "metric-paths"
  | "string_series"
  | "trash"
  | "trash/restore";

export type Route =
  | { readonly kind: "projects" }
  | { readonly kind: "runs" }
  | { readonly kind: "preflight" }
  | {
      readonly kind: "run";
      readonly endpoint: RunEndpoint;
      readonly project: string;
      readonly runId: string;
    };

const GET_ENDPOINTS = new Set<RunEndpoint>(["configs", "metrics", "metric-paths", "string_series"]);
const POST_ENDPOINTS = new Set<RunEndpoint>(["trash", "trash/restore"]);
const RUN_PATH =
  /^\/api\/runs\/(.+)\/([^/]+)\/(configs|metrics|metric-paths|string_series|trash\/restore|trash)$/s;

export function route(method: string, path: string): Route {
  if (method === "OPTIONS") return { kind: "preflight" };
  if (method !== "GET" && method !== "POST" && method !== "HEAD") {
    throw new HttpError(405, `Method ${method} not allowed`);
  }
  const get = method !== "POST";
  if (get && path === "/api/projects") return { kind: "projects" };
  if (get && path === "/api/runs") return { kind: "runs" };
  const match = RUN_PATH.exec(path);
  if (!match) throw notFound();
  const endpoint = match[3] as RunEndpoint;
  if (!(get ? GET_ENDPOINTS : POST_ENDPOINTS).has(endpoint)) throw notFound();
  return { kind: "run", endpoint, project: match[1] as string, runId: match[2] as string };
}

/**
 * The run file for a project and run id from a URL, or a 404 when the names could
 * leave the served directory (`..`, absolute paths, backslashes, NUL) or name no file.
 */
export function runFilePath(
  root: string,
  project: string,
  runId: string,
  exists: (file: string) => boolean,
): string {
  const badRun = runId === "." || runId === ".." || /[\\\u0000]/.test(runId);
  if (badRun || projectProblem(project) !== undefined) throw runNotFound(project, runId);
  const base = resolve(root);
  const file = resolve(base, ...project.split("/"), "runs", `${runId}.sqlite`);
  if (!file.startsWith(base + sep) || !exists(file)) throw runNotFound(project, runId);
  return file;
}
