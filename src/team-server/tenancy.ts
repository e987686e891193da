/**
 * Which runs a key may see and change. A run of a workspace the key has no role in is
 * answered as if it did not exist (404), so ids of other teams' runs reveal nothing.
 */

import type { SQL } from "bun";
import { ApiError } from "./api-error.ts";
import type { Principal, Role } from "./keys.ts";

export type Access = "read" | "write";

const ALLOWED: Record<Access, readonly Role[]> = {
  read: ["owner", "member", "viewer"],
  write: ["owner", "member"],
};

export function allows(principal: Principal, workspace: string, access: Access): boolean {
  const role = principal.roles.get(workspace);
  return role !== undefined && ALLOWED[access].includes(role);
}

/** Throws 403 unless the key holds a role in `workspace` that allows `access`. */
export function requireWorkspace(principal: Principal, workspace: string, access: Access): void {
  if (allows(principal, workspace, access)) return;
  if (principal.roles.has(workspace))
    throw new ApiError(
      403,
      "Workspace.Forbidden",
      `the key's role in workspace '${workspace}' does not allow writing`,
    );
  throw new ApiError(
    403,
    "Workspace.Forbidden",
    `the key has no access to workspace '${workspace}'`,
  );
}

export interface RunRow {
  readonly id: number;
  readonly workspace: string;
  readonly project: string;
  readonly runId: string;
}

export const runNotFound = (id: string) =>
  new ApiError(404, "Run.NotFound", `run '${id}' not found`);

/** A run by its remote id, checked against the key's workspaces. */
export async function runById(
  sql: SQL,
  principal: Principal,
  remoteId: string,
  access: Access,
): Promise<RunRow> {
  if (!/^\d{1,15}$/.test(remoteId)) throw runNotFound(remoteId);
  const [row] = await sql`SELECT r.id, w.name AS workspace, p.name AS project, r.run_id
    FROM runs r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
    WHERE r.id = ${Number(remoteId)}`;
  if (!row || !principal.roles.has(row.workspace)) throw runNotFound(remoteId);
  if (!allows(principal, row.workspace, access))
    throw new ApiError(
      403,
      "Workspace.Forbidden",
      `the key's role in workspace '${row.workspace}' does not allow writing`,
    );
  return { id: Number(row.id), workspace: row.workspace, project: row.project, runId: row.run_id };
}

/** Bumps the version that cached run lists are checked against. */
export async function touchCatalog(sql: SQL): Promise<void> {
  await sql`UPDATE counters SET value = value + 1 WHERE name = 'catalog'`;
}

export async function catalogVersion(sql: SQL): Promise<number> {
  const [row] = await sql`SELECT value FROM counters WHERE name = 'catalog'`;
  return Number(row?.value ?? 0);
}
