/**
 * Versioned schema migrations, applied in order at start inside one transaction each
 * (on PostgreSQL under an advisory lock, so that servers starting together apply each
 * step once). A step is never edited after release: a change is a new step.
 *
 * Paths and string values are stored as UTF-8 bytes (`bytea`/BLOB): PostgreSQL `text`
 * cannot hold U+0000, and byte order is the UTF-8 order that the local API sorts by.
 */

import type { Database, Dialect } from "./database.ts";

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: (dialect: Dialect) => string[];
}

function types(dialect: Dialect) {
  const pg = dialect === "postgres";
  return {
    id: pg
      ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
      : "INTEGER PRIMARY KEY AUTOINCREMENT",
    bytes: pg ? "BYTEA" : "BLOB",
    float: pg ? "DOUBLE PRECISION" : "REAL",
    big: pg ? "BIGINT" : "INTEGER",
  };
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "workspaces, keys, projects, runs, configs, series, chunks, string points",
    statements(dialect) {
      const t = types(dialect);
      const external =
        dialect === "postgres"
          ? ["ALTER TABLE metric_chunks ALTER COLUMN body SET STORAGE EXTERNAL"]
          : [];
      return [
        `CREATE TABLE workspaces (id ${t.id}, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)`,
        `CREATE TABLE api_keys (id ${t.id}, key_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
          hash ${t.bytes} NOT NULL, default_workspace_id ${t.big} NOT NULL REFERENCES workspaces(id),
          created_at TEXT NOT NULL, revoked_at TEXT)`,
        `CREATE TABLE key_roles (key_id ${t.big} NOT NULL REFERENCES api_keys(id),
          workspace_id ${t.big} NOT NULL REFERENCES workspaces(id), role TEXT NOT NULL,
          PRIMARY KEY (key_id, workspace_id))`,
        `CREATE TABLE sessions (token_hash ${t.bytes} PRIMARY KEY, key_id ${t.big} NOT NULL REFERENCES api_keys(id),
          expires_ms ${t.float} NOT NULL)`,
        `CREATE TABLE projects (id ${t.id}, workspace_id ${t.big} NOT NULL REFERENCES workspaces(id),
          name TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (workspace_id, name))`,
        `CREATE TABLE runs (id ${t.id}, project_id ${t.big} NOT NULL REFERENCES projects(id),
          run_id TEXT NOT NULL, experiment_name TEXT, created_at TEXT, modified_at TEXT,
          closed_at TEXT, status TEXT, trashed INTEGER NOT NULL DEFAULT 0,
          registered_at TEXT NOT NULL, updated_ms ${t.float} NOT NULL, config_seq ${t.big} NOT NULL DEFAULT 0,
          heartbeat_ms ${t.float}, UNIQUE (project_id, run_id))`,
        `CREATE TABLE configs (run_id ${t.big} NOT NULL REFERENCES runs(id), path ${t.bytes} NOT NULL,
          type_tag TEXT NOT NULL, value ${t.bytes}, updated_at TEXT NOT NULL, seq ${t.big} NOT NULL,
          PRIMARY KEY (run_id, path))`,
        `CREATE TABLE series (id ${t.id}, run_id ${t.big} NOT NULL REFERENCES runs(id),
          kind INTEGER NOT NULL, path ${t.bytes} NOT NULL, has_points INTEGER NOT NULL DEFAULT 0,
          version ${t.big} NOT NULL DEFAULT 0, UNIQUE (run_id, kind, path))`,
        `CREATE TABLE metric_chunks (id ${t.id}, series_id ${t.big} NOT NULL REFERENCES series(id),
          compacted INTEGER NOT NULL, source_max_id ${t.big}, point_count INTEGER NOT NULL,
          first_step ${t.float} NOT NULL, last_step ${t.float} NOT NULL, body ${t.bytes} NOT NULL)`,
        "CREATE INDEX metric_chunks_series ON metric_chunks (series_id, compacted, id)",
        `CREATE TABLE string_points (series_id ${t.big} NOT NULL REFERENCES series(id),
          step ${t.float} NOT NULL, ts_ms ${t.float} NOT NULL, value ${t.bytes} NOT NULL,
          PRIMARY KEY (series_id, step))`,
        `CREATE TABLE counters (name TEXT PRIMARY KEY, value ${t.big} NOT NULL)`,
        "INSERT INTO counters (name, value) VALUES ('catalog', 0)",
        ...external,
      ];
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Applies the steps the database lacks; returns the versions applied now. */
export async function migrate(db: Database): Promise<number[]> {
  const { sql } = db;
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    const done = await sql.begin(async (tx) => {
      if (db.dialect === "postgres") await tx`SELECT pg_advisory_xact_lock(727274)`;
      const rows =
        await tx`SELECT version FROM schema_migrations WHERE version = ${migration.version}`;
      if (rows.length > 0) return false;
      for (const statement of migration.statements(db.dialect)) await tx.unsafe(statement);
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, ${new Date().toISOString()})`;
      return true;
    });
    if (done) applied.push(migration.version);
  }
  const [newest] = await sql`SELECT max(version) AS v FROM schema_migrations`;
  if (Number(newest?.v ?? 0) > LATEST_VERSION) {
    throw new Error(
      `the database has schema version ${newest?.v}, newer than this goodseed (${LATEST_VERSION}): upgrade goodseed`,
    );
  }
  return applied;
}
