/**
 * Versioned schema migrations, applied at start. Every step the database lacks is
 * applied in ONE transaction (DDL is transactional on both databases), so a database
 * is at one version or the next, never between. Servers that start together take
 * turns: on PostgreSQL under a transaction-scoped advisory lock, on SQLite with
 * `BEGIN IMMEDIATE` (the write lock first): the first applies the steps, the others
 * then find them recorded. A database newer than this code is refused before anything
 * is touched. A step is never edited after release: a change is a new step
 * (`test/fixtures/team-server-v1/` keeps version 1 as it shipped, for the upgrade test).
 *
 * Paths and string values are stored as UTF-8 bytes (`bytea`/BLOB): PostgreSQL `text`
 * cannot hold U+0000, and byte order is the UTF-8 order that the local API sorts by.
 */

import type { SQL } from "bun";
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
  {
    // The web UI's run editor on the team server (team-server/run-editor.ts): a rename
    // there must survive the training process registering the run again (a resumed
    // run, another `goodseed upload`), which carries the name it was started with; and
    // with a whole team editing one workspace's runs, who changed what is kept.
    version: 2,
    name: "run edits: renamed_at on runs, the run_edits log",
    statements(dialect) {
      const t = types(dialect);
      return [
        "ALTER TABLE runs ADD COLUMN renamed_at TEXT",
        `CREATE TABLE run_edits (id ${t.id}, run_id ${t.big} NOT NULL REFERENCES runs(id),
          key_id ${t.big} NOT NULL REFERENCES api_keys(id), edited_at TEXT NOT NULL, edit TEXT NOT NULL)`,
        "CREATE INDEX run_edits_run ON run_edits (run_id, id)",
      ];
    },
  },
  {
    // A long series' first view read every chunk of it (9 MB for a million points);
    // its overview (overview.ts) answers it from a few hundred kilobytes. Runs are
    // found by when they were written last, for the keeper to find quiet series.
    version: 3,
    name: "series overviews",
    statements(dialect) {
      const t = types(dialect);
      return [
        `CREATE TABLE series_overviews (series_id ${t.big} PRIMARY KEY REFERENCES series(id),
          version ${t.big} NOT NULL, point_count ${t.big} NOT NULL, body ${t.bytes} NOT NULL)`,
        ...(dialect === "postgres"
          ? ["ALTER TABLE series_overviews ALTER COLUMN body SET STORAGE EXTERNAL"]
          : []),
        "CREATE INDEX runs_updated ON runs (updated_ms)",
      ];
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The database holds a schema newer than this code: refused, nothing touched. */
export class SchemaTooNewError extends Error {
  override name = "SchemaTooNewError";
  readonly version: number;

  constructor(version: number, location: string) {
    super(
      `the database at ${location} has schema version ${version}, newer than this goodseed understands (${LATEST_VERSION}): upgrade goodseed on every server that uses it; it is left unchanged`,
    );
    this.version = version;
  }
}

/** Lock key of the migration step on PostgreSQL (`pg_advisory_xact_lock`). */
const MIGRATION_LOCK = 727274;

/**
 * Brings the database to {@link LATEST_VERSION}; returns the versions applied now
 * (none when another server already did). Throws {@link SchemaTooNewError} for a
 * database newer than this code.
 */
export async function migrate(db: Database): Promise<number[]> {
  const body = async (tx: SQL): Promise<number[]> => {
    if (db.dialect === "postgres")
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    // Inside the lock: two PostgreSQL sessions racing on CREATE TABLE IF NOT EXISTS can
    // both try to create it.
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;
    const rows = await tx`SELECT version FROM schema_migrations`;
    const present = new Set((rows as { version: number }[]).map((row) => Number(row.version)));
    const newest = Math.max(0, ...present);
    if (newest > LATEST_VERSION) throw new SchemaTooNewError(newest, db.location);
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (present.has(migration.version)) continue;
      for (const statement of migration.statements(db.dialect)) await tx.unsafe(statement);
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, ${new Date().toISOString()})`;
      applied.push(migration.version);
    }
    return applied;
  };
  return db.dialect === "sqlite" ? db.sql.begin("IMMEDIATE", body) : db.sql.begin(body);
}

/** The schema version the database is at (0 for an empty one). */
export async function schemaVersion(db: Database): Promise<number> {
  try {
    const [row] = await db.sql`SELECT max(version) AS v FROM schema_migrations`;
    return Number(row?.v ?? 0);
  } catch {
    return 0;
  }
}
