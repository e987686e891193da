/**
 * The team server's database handle: one `Bun.SQL` client, on PostgreSQL for a team
 * (`postgres://…`) or on an embedded SQLite file (`sqlite://…` or no URL), with the
 * few facts the queries need to know about the dialect.
 */

import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { SQL } from "bun";

export type Dialect = "postgres" | "sqlite";

export interface Database {
  readonly sql: SQL;
  readonly dialect: Dialect;
  /** Where the data lives, without a password: for messages and logs. */
  readonly location: string;
  /** How many connections the pool may open (1 on SQLite). */
  readonly poolSize: number;
  close(): Promise<void>;
}

/** The embedded default: one SQLite file under `$GOODSEED_HOME`. */
export function embeddedUrl(home: string): string {
  return `sqlite://${join(home, "server", "goodseed-server.sqlite")}`;
}

/** A URL for messages: the password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}

export function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  if (/^(sqlite|file):/i.test(url)) return "sqlite";
  throw new Error(
    `unsupported database URL '${redactUrl(url)}': use postgres://user@host/db or sqlite:///path/to/file`,
  );
}

export interface OpenOptions {
  /** Pool size on PostgreSQL. @default 16 */
  readonly maxConnections?: number;
  /** Seconds to wait for a PostgreSQL connection. @default 10 */
  readonly connectTimeoutS?: number;
}

/** Opens the client and checks that the database answers (throws if it does not). */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const dialect = dialectOf(url);
  let sql: SQL;
  let poolSize = 1;
  if (dialect === "sqlite") {
    const file = url.replace(/^(sqlite|file):(\/\/)?/i, "");
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    sql = new SQL({ adapter: "sqlite", filename: file, create: true, readwrite: true });
    // The wait first: switching to WAL takes the write lock, which another server
    // starting at the same time may hold while it migrates ("database is locked").
    await sql`PRAGMA busy_timeout = 10000`;
    await sql`PRAGMA journal_mode = WAL`;
    await sql`PRAGMA synchronous = NORMAL`;
    await sql`PRAGMA foreign_keys = ON`;
  } else {
    poolSize = options.maxConnections ?? 16;
    const open = (connection: Record<string, string>) =>
      new SQL(url, {
        max: poolSize,
        connectionTimeout: options.connectTimeoutS ?? 10,
        // Connections stay warm (prepared statements, catalog caches) between sparse polls.
        idleTimeout: 600,
        connection,
      });
    // Every statement here is prepared, and its plan depends little on the values:
    // planned once per connection, not for each of the first five runs (PostgreSQL's
    // default), nor at every run when the generic plan looks costlier (the run lookup,
    // ~1 ms of planning per live poll). A pooler that refuses the setting (PgBouncer
    // passes only some startup parameters) gets a connection without it.
    sql = open({ plan_cache_mode: "force_generic_plan" });
    try {
      await sql`SELECT 1`;
    } catch (error) {
      if (!/plan_cache_mode|startup parameter/i.test(String(error))) throw error;
      await sql.close();
      sql = open({});
      await sql`SELECT 1`;
    }
  }
  return {
    sql,
    dialect,
    location: redactUrl(url),
    poolSize,
    close: () => sql.close({ timeout: 5 }),
  };
}
