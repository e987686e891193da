/**
 * `goodseed server [--database URL] [--host h] [--port p]`: the team server, and
 * `goodseed server keys create|list|revoke` to manage its API keys.
 */

import { join } from "node:path";
import { openDatabase } from "../team-server/database.ts";
import { createKey, isRole, listKeys, revokeKey } from "../team-server/keys.ts";
import { migrate, SchemaTooNewError } from "../team-server/migrations.ts";
import { DatabaseUnreachableError, startTeamServer } from "../team-server/server.ts";
import { type CliContext, CliError, homeOf, UsageError } from "./context.ts";

export interface ServerOptions {
  database: string | undefined;
  host: string;
  port: number;
  homeWorkspace: string;
  createProjects: boolean;
  quiet: boolean;
  /** Requests handled at once; more are answered 503 with Retry-After. */
  maxInFlight: number;
  /** Requests a second per API key (in this process); more are answered 429 with Retry-After. 0: no limit. */
  rateLimit: number;
  publicUrls: string[];
}

export function databaseUrl(context: CliContext, given: string | undefined): string {
  return (
    given ??
    context.env.GOODSEED_DATABASE_URL ??
    `sqlite://${join(homeOf(context), "server", "goodseed-server.sqlite")}`
  );
}

/** `--max-in-flight`: a whole number of at least 1. @default 64 */
export function parseMaxInFlight(given: string | undefined): number {
  if (given === undefined) return 64;
  const value = Number(given);
  if (!/^\d+$/.test(given) || !Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`--max-in-flight must be a whole number of at least 1, not '${given}'`);
  return value;
}

/** `--rate-limit`: requests a second per key, a number of at least 0 (0 turns it off). @default 1000 */
export function parseRateLimit(given: string | undefined, fallback: number): number {
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!/^\d+(\.\d+)?$/.test(given) || !Number.isFinite(value))
    throw new UsageError(
      `--rate-limit must be a number of requests a second (0 for no limit), not '${given}'`,
    );
  return value;
}

export async function serverCommand(context: CliContext, options: ServerOptions): Promise<number> {
  const url = databaseUrl(context, options.database);
  let server: Awaited<ReturnType<typeof startTeamServer>>;
  try {
    server = await startTeamServer({
      databaseUrl: url,
      host: options.host,
      port: options.port,
      homeWorkspace: options.homeWorkspace,
      createProjects: options.createProjects,
      publicUrls: options.publicUrls,
      maxInFlight: options.maxInFlight,
      rateLimit: options.rateLimit,
      ...(options.quiet ? {} : { log: (line: string) => context.stderr(`${line}\n`) }),
    });
  } catch (error) {
    if (error instanceof DatabaseUnreachableError || error instanceof SchemaTooNewError)
      throw new CliError(error.message);
    const reason = error instanceof Error ? error.message : String(error);
    if (/in use|EADDRINUSE/i.test(reason))
      throw new CliError(
        `could not listen on ${options.host}:${options.port}: port ${options.port} is in use (another goodseed server?). Pick another port with --port.`,
      );
    throw new CliError(`could not start the server: ${reason}`);
  }
  context.stdout(
    `goodseed server is listening on ${server.url} (database: ${server.db.location})\nTraining machines: GOODSEED_API_URL=${server.url.replace(/\/$/, "")} GOODSEED_API_KEY=<key from 'goodseed server keys create'>\n`,
  );
  await new Promise<void>((resolve) => {
    const shutdown = () => {
      context.stderr("goodseed server: finishing requests in flight, then stopping\n");
      void server.stop().then(resolve);
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
  return 0;
}

export interface KeysOptions {
  action: string | undefined;
  database: string | undefined;
  workspaces: string[];
  name: string | undefined;
  role: string | undefined;
  target: string | undefined;
  json: boolean;
}

export async function keysCommand(context: CliContext, options: KeysOptions): Promise<number> {
  const url = databaseUrl(context, options.database);
  if (!["create", "list", "revoke"].includes(options.action ?? ""))
    throw new UsageError("expected 'keys create', 'keys list' or 'keys revoke <key id>'");
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase(url);
    await migrate(db);
  } catch (error) {
    throw new CliError(
      `could not open the database: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    switch (options.action) {
      case "create": {
        if (options.workspaces.length === 0) throw new UsageError("--workspace is required");
        if (!options.name) throw new UsageError("--name is required");
        const role = options.role ?? "member";
        if (!isRole(role))
          throw new UsageError(`--role must be owner, member or viewer, got '${role}'`);
        const { key, keyId } = await createKey(db, {
          name: options.name,
          workspaces: options.workspaces,
          role,
        });
        if (options.json) context.stdout(`${JSON.stringify({ key, key_id: keyId })}\n`);
        else context.stdout(`${key}\n`);
        context.stderr(
          `Created key ${keyId} '${options.name}' (${role} of ${options.workspaces.join(", ")}). It is shown only now: store it.\n`,
        );
        return 0;
      }
      case "list": {
        const keys = await listKeys(db);
        if (options.json) {
          context.stdout(`${JSON.stringify(keys)}\n`);
          return 0;
        }
        if (keys.length === 0)
          context.stdout(
            "No keys. Create one with: goodseed server keys create --workspace <ws> --name <name>\n",
          );
        for (const key of keys)
          context.stdout(
            `${key.keyId}  ${key.name}  ${key.workspaces.map((w) => `${w.workspace}:${w.role}`).join(",")}  created ${key.createdAt}${key.revokedAt ? `  REVOKED ${key.revokedAt}` : ""}\n`,
          );
        return 0;
      }
      default: {
        if (!options.target) throw new UsageError("expected the key id to revoke");
        if (!(await revokeKey(db, options.target)))
          throw new CliError(`no active key '${options.target}'`);
        context.stdout(`Revoked key ${options.target}.\n`);
        return 0;
      }
    }
  } finally {
    await db.close();
  }
}
