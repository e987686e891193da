/**
 * API keys: `gsk_<id>_<secret>`, shown once when created and stored only as a SHA-256
 * hash; the `<id>` part finds the row, the hash is compared in constant time. A key
 * holds a role in one or more workspaces; the first is its default workspace (what
 * `auth/me` answers).
 */

import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Database } from "./database.ts";

export const ROLES = ["owner", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export interface KeyInfo {
  readonly keyId: string;
  readonly name: string;
  readonly workspaces: { readonly workspace: string; readonly role: Role }[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

const KEY_PATTERN = /^gsk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$/;
const WORKSPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function workspaceProblem(name: string): string | undefined {
  return WORKSPACE_PATTERN.test(name)
    ? undefined
    : "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";
}

export function hashKey(key: string): Uint8Array {
  return new Uint8Array(new Bun.CryptoHasher("sha256").update(key).digest());
}

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

/** The workspace's id, created when missing. */
export async function ensureWorkspace(db: Database, name: string): Promise<number> {
  const problem = workspaceProblem(name);
  if (problem) throw new Error(`workspace '${name}' ${problem}`);
  await db.sql`INSERT INTO workspaces (name, created_at) VALUES (${name}, ${new Date().toISOString()}) ON CONFLICT (name) DO NOTHING`;
  const [row] = await db.sql`SELECT id FROM workspaces WHERE name = ${name}`;
  return Number(row.id);
}

export interface CreateKeyOptions {
  readonly name: string;
  /** Workspaces the key may use, the first being its default. */
  readonly workspaces: readonly string[];
  /** @default "member" */
  readonly role?: Role;
}

/** Creates a key and returns it: the only time its secret is seen. */
export async function createKey(
  db: Database,
  options: CreateKeyOptions,
): Promise<{ key: string; keyId: string }> {
  if (options.workspaces.length === 0) throw new Error("a key needs at least one workspace");
  if (options.name.trim() === "") throw new Error("a key needs a name");
  const ids: number[] = [];
  for (const workspace of options.workspaces) ids.push(await ensureWorkspace(db, workspace));
  const keyId = randomBytes(6).toString("hex");
  const key = `gsk_${keyId}_${randomBytes(24).toString("base64url")}`;
  const role = options.role ?? "member";
  const now = new Date().toISOString();
  await db.sql.begin(async (tx) => {
    const [row] =
      await tx`INSERT INTO api_keys (key_id, name, hash, default_workspace_id, created_at)
      VALUES (${keyId}, ${options.name}, ${hashKey(key)}, ${ids[0]}, ${now}) RETURNING id`;
    for (const workspaceId of new Set(ids))
      await tx`INSERT INTO key_roles (key_id, workspace_id, role) VALUES (${row.id}, ${workspaceId}, ${role})`;
  });
  return { key, keyId };
}

export async function listKeys(db: Database): Promise<KeyInfo[]> {
  const rows =
    await db.sql`SELECT k.key_id, k.name, k.created_at, k.revoked_at, w.name AS workspace, r.role,
      (k.default_workspace_id = w.id) AS is_default
    FROM api_keys k JOIN key_roles r ON r.key_id = k.id JOIN workspaces w ON w.id = r.workspace_id
    ORDER BY k.id, is_default DESC, w.name`;
  const keys = new Map<string, KeyInfo>();
  for (const row of rows) {
    let info = keys.get(row.key_id);
    if (!info) {
      info = {
        keyId: row.key_id,
        name: row.name,
        workspaces: [],
        createdAt: row.created_at,
        revokedAt: row.revoked_at ?? null,
      };
      keys.set(row.key_id, info);
    }
    info.workspaces.push({ workspace: row.workspace, role: row.role });
  }
  return [...keys.values()];
}

/** Revokes the key with that id (or full key); false when there is none. */
export async function revokeKey(db: Database, idOrKey: string): Promise<boolean> {
  const keyId = KEY_PATTERN.exec(idOrKey)?.[1] ?? idOrKey;
  const rows =
    await db.sql`UPDATE api_keys SET revoked_at = ${new Date().toISOString()} WHERE key_id = ${keyId} AND revoked_at IS NULL RETURNING id`;
  if (rows.length > 0) await db.sql`DELETE FROM sessions WHERE key_id = ${rows[0].id}`;
  return rows.length > 0;
}

export interface Principal {
  readonly id: number;
  readonly name: string;
  readonly defaultWorkspace: string;
  /** Workspace name → role. */
  readonly roles: ReadonlyMap<string, Role>;
}

async function principalOf(db: Database, id: number, name: string): Promise<Principal> {
  const rows = await db.sql`SELECT w.name, r.role, (k.default_workspace_id = w.id) AS is_default
    FROM key_roles r JOIN workspaces w ON w.id = r.workspace_id JOIN api_keys k ON k.id = r.key_id
    WHERE r.key_id = ${id}`;
  const roles = new Map<string, Role>();
  let defaultWorkspace = "";
  for (const row of rows) {
    roles.set(row.name, row.role);
    if (row.is_default === true || Number(row.is_default) === 1) defaultWorkspace = row.name;
  }
  return { id, name, defaultWorkspace, roles };
}

/** The key's holder, or undefined for an unknown, malformed or revoked key. */
export async function verifyKey(db: Database, key: string): Promise<Principal | undefined> {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  // One round trip: the key with its roles.
  const rows = await db.sql`SELECT k.id, k.name, k.hash, k.revoked_at, w.name AS workspace, r.role,
      (k.default_workspace_id = w.id) AS is_default
    FROM api_keys k JOIN key_roles r ON r.key_id = k.id JOIN workspaces w ON w.id = r.workspace_id
    WHERE k.key_id = ${match[1]}`;
  const first = rows[0];
  if (!first || first.revoked_at !== null) return undefined;
  const stored = new Uint8Array(first.hash);
  const given = hashKey(key);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
  const roles = new Map<string, Role>();
  let defaultWorkspace = "";
  for (const row of rows) {
    roles.set(row.workspace, row.role);
    if (row.is_default === true || Number(row.is_default) === 1) defaultWorkspace = row.workspace;
  }
  return { id: Number(first.id), name: first.name, defaultWorkspace, roles };
}

/** A browser session for a key: returns the token for the cookie. */
export async function createSession(
  db: Database,
  principal: Principal,
  ttlMs: number,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.sql`INSERT INTO sessions (token_hash, key_id, expires_ms) VALUES (${hashKey(token)}, ${principal.id}, ${Date.now() + ttlMs})`;
  return token;
}

export async function verifySession(db: Database, token: string): Promise<Principal | undefined> {
  const [row] = await db.sql`SELECT k.id, k.name FROM sessions s JOIN api_keys k ON k.id = s.key_id
    WHERE s.token_hash = ${hashKey(token)} AND s.expires_ms > ${Date.now()} AND k.revoked_at IS NULL`;
  return row ? principalOf(db, Number(row.id), row.name) : undefined;
}

export async function deleteSession(db: Database, token: string): Promise<void> {
  await db.sql`DELETE FROM sessions WHERE token_hash = ${hashKey(token)}`;
}
