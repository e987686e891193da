/** Finding a run on the remote API (the default workspace, the register ("ensure") call), and its heartbeat and final status. */

import { pythonJsonString } from "../values/python-json.ts";
import type { ApiClient, Outcome } from "./api-client.ts";

export interface RunIdentity {
  /** `workspace/project`. */
  readonly project: string;
  readonly runId: string;
  readonly name: string | undefined;
  readonly createdAt?: string | undefined;
  readonly modifiedAt?: string | undefined;
}

export function splitProject(project: string): { workspace: string; name: string } | undefined {
  const slash = project.indexOf("/");
  if (slash <= 0 || slash === project.length - 1) return undefined;
  return { workspace: project.slice(0, slash), name: project.slice(slash + 1) };
}

/** The user's default workspace, from `auth/me`. */
export async function defaultWorkspace(api: ApiClient): Promise<Outcome<string>> {
  const outcome = await api.request<{ name?: unknown; Name?: unknown }>("GET", "/api/v1/auth/me");
  if (outcome.kind !== "ok") return outcome;
  const name = outcome.body?.name ?? outcome.body?.Name;
  if (typeof name === "string" && name !== "")
    return { kind: "ok", status: outcome.status, body: name };
  return { kind: "fatal", status: outcome.status, message: "auth/me did not name a workspace" };
}

/** Whether `baseUrl` is goodseed's hosted API, whose projects are made in its app. */
function isGoodseedCloud(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === "goodseed.ai" || host.endsWith(".goodseed.ai");
  } catch {
    return false;
  }
}

/** A message for a register failure that says what to do. */
function explain(
  api: ApiClient,
  identity: RunIdentity,
  outcome: Exclude<Outcome, { kind: "ok" }>,
): string {
  if (outcome.status === 401)
    return `the API key was refused (${outcome.message}); check GOODSEED_API_KEY or apiKey`;
  if (outcome.status === 403)
    return `the API key has no access to project '${identity.project}' (${outcome.message})`;
  if (outcome.status === 404) {
    // The remote API answers a missing project with a JSON error; anything else is no such API.
    if (outcome.kind === "fatal" && outcome.errorCode === undefined)
      return `${api.baseUrl} does not take uploads (it answered ${outcome.message} to POST /api/v1/runs). Point GOODSEED_API_URL at a 'goodseed server' ('goodseed serve' only shows the runs on its own disk) or at the goodseed API`;
    const where = isGoodseedCloud(api.baseUrl)
      ? `create it at ${api.appUrl}`
      : `create it on that server first (an owner of the workspace: POST ${api.baseUrl}/api/v1/workspaces/${splitProject(identity.project)?.workspace ?? "<workspace>"}/projects)`;
    return `project '${identity.project}' was not found (${outcome.message}); ${where}`;
  }
  return outcome.message;
}

/** Creates the remote run, or finds it: returns its remote id. */
export async function registerRun(api: ApiClient, identity: RunIdentity): Promise<Outcome<string>> {
  let parts = splitProject(identity.project);
  if (!parts) {
    // A run started while the API was down: its project still lacks the default workspace.
    const workspace = await defaultWorkspace(api);
    if (workspace.kind !== "ok") return workspace;
    parts = { workspace: workspace.body, name: identity.project };
  }
  const fields = [
    `"workspace": ${pythonJsonString(parts.workspace)}`,
    `"project": ${pythonJsonString(parts.name)}`,
    `"run_id": ${pythonJsonString(identity.runId)}`,
    `"experiment_name": ${identity.name === undefined ? "null" : pythonJsonString(identity.name)}`,
  ];
  if (identity.createdAt !== undefined)
    fields.push(`"created_at": ${pythonJsonString(identity.createdAt)}`);
  if (identity.modifiedAt !== undefined)
    fields.push(`"modified_at": ${pythonJsonString(identity.modifiedAt)}`);
  const outcome = await api.request<{ id?: unknown }>("POST", "/api/v1/runs", {
    body: `{${fields.join(", ")}}`,
  });
  if (outcome.kind === "ok") {
    const id = outcome.body?.id;
    if (typeof id === "string" || typeof id === "number")
      return { kind: "ok", status: outcome.status, body: String(id) };
    return {
      kind: "retry",
      status: outcome.status,
      message: "the API did not return a run id",
      retryAfterMs: undefined,
    };
  }
  return { ...outcome, message: explain(api, identity, outcome) };
}

const STATUSES = new Set(["running", "finished", "failed"]);

/** Tells the remote run that its upload is alive. */
export async function sendHeartbeat(api: ApiClient, remoteId: string): Promise<void> {
  await api.request("POST", `/api/v1/runs/${encodeURIComponent(remoteId)}/heartbeat`);
}

/**
 * Sends the run's final status (`finished` unless the file says `running` or
 * `failed`). The run's own closing time travels with it (the Python client sends only
 * the status; its servers then use their clock), so the run list shows the same closed_at.
 */
export async function sendStatus(
  api: ApiClient,
  remoteId: string,
  status: string | undefined,
  closedAt: string | undefined,
): Promise<void> {
  const sent = status && STATUSES.has(status) ? status : "finished";
  const closed = closedAt ? `, "closed_at": ${pythonJsonString(closedAt)}` : "";
  await api.request("POST", `/api/v1/runs/${encodeURIComponent(remoteId)}/status`, {
    body: `{"status": "${sent}"${closed}}`,
  });
}
