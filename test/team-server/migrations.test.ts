/**
 * Schema upgrades: a database that the version-1 code made (its DDL frozen in
 * test/fixtures/team-server-v1/migrations-v1.ts, its rows as that code wrote them in
 * database.json, its HTTP answers then in answers.json) is brought to the latest
 * version when `goodseed server` starts on it, and answers exactly as before; two
 * servers starting together on it migrate it once; a database newer than the code is
 * refused with exit 1 and left as it was.
 */

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Database, openDatabase } from "../../src/team-server/database.ts";
import { LATEST_VERSION, migrate } from "../../src/team-server/migrations.ts";
import { migrateV1 } from "../fixtures/team-server-v1/migrations-v1.ts";
import {
  BACKENDS,
  type Backend,
  call,
  freshDatabase,
  spawnServer,
  useTeamServers,
} from "../helpers/team-server.ts";
import { REPO_ROOT } from "../helpers/temp-dir.ts";

useTeamServers();

const FIXTURE = join(REPO_ROOT, "test/fixtures/team-server-v1");
type Cell = string | number | null | { base64: string };
const dump = JSON.parse(readFileSync(join(FIXTURE, "database.json"), "utf8")) as {
  keys: { member: string; viewer: string; other: string };
  tables: Record<string, Record<string, Cell>[]>;
};
const answers = JSON.parse(readFileSync(join(FIXTURE, "answers.json"), "utf8")) as Record<
  string,
  unknown
>;

/** Tables in an order that satisfies their foreign keys. */
const FILLED = [
  "workspaces",
  "api_keys",
  "key_roles",
  "sessions",
  "projects",
  "runs",
  "configs",
  "series",
  "metric_chunks",
  "string_points",
];
const WITH_IDS = ["workspaces", "api_keys", "projects", "runs", "series", "metric_chunks"];

const cell = (value: Cell): unknown =>
  value !== null && typeof value === "object" ? Buffer.from(value.base64, "base64") : value;

/** A database at version 1, as the v1 code made it, holding the fixture's rows. */
async function v1Database(backend: Backend): Promise<string> {
  const url = await freshDatabase(backend);
  const db = await openDatabase(url);
  try {
    expect(await migrateV1(db)).toEqual([1]);
    await fill(db);
  } finally {
    await db.close();
  }
  return url;
}

async function fill(db: Database): Promise<void> {
  const pg = db.dialect === "postgres";
  await db.sql.begin(async (tx) => {
    for (const table of FILLED) {
      for (const row of dump.tables[table] ?? []) {
        const columns = Object.keys(row);
        const marks = columns.map((_, i) => (pg ? `$${i + 1}` : "?")).join(", ");
        const overriding = pg && WITH_IDS.includes(table) ? " OVERRIDING SYSTEM VALUE" : "";
        await tx.unsafe(
          `INSERT INTO ${table} (${columns.join(", ")})${overriding} VALUES (${marks})`,
          columns.map((column) => cell(row[column] as Cell)),
        );
      }
    }
    const catalog = dump.tables.counters?.find((row) => row.name === "catalog")?.value;
    await tx`UPDATE counters SET value = ${Number(catalog)} WHERE name = 'catalog'`;
    if (pg)
      for (const table of WITH_IDS)
        await tx.unsafe(
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`,
        );
  });
}

async function versions(url: string): Promise<number[]> {
  const db = await openDatabase(url);
  try {
    const rows = await db.sql`SELECT version FROM schema_migrations ORDER BY version`;
    return (rows as { version: number }[]).map((row) => Number(row.version));
  } finally {
    await db.close();
  }
}

const keyOf = (who: string): string => dump.keys[who as keyof typeof dump.keys];

for (const backend of BACKENDS) {
  describe(`schema migrations (${backend})`, () => {
    it("brings a v1 database to the latest version at start, every run, point, string and config answered as before", async () => {
      const url = await v1Database(backend);
      expect(await versions(url)).toEqual([1]);
      await using server = await spawnServer(url, ["--home-workspace", "acme"]);
      expect(await versions(url)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
      expect(server.output()).toContain(
        `"event":"schema migrated","versions":${JSON.stringify(Array.from({ length: LATEST_VERSION - 1 }, (_, i) => i + 2))}`,
      );
      for (const [request, expected] of Object.entries(answers)) {
        const [who, method, path] = request.split(" ") as [string, string, string];
        const answer = await call(server.base, keyOf(who), method, path);
        expect({ request, status: answer.status, body: answer.json }).toEqual({
          request,
          status: 200,
          body: expected,
        });
      }
      // The upgraded database takes new runs and points (its id sequences carry on).
      const member = keyOf("member");
      const registered = await call(server.base, member, "POST", "/api/v1/runs", {
        workspace: "acme",
        project: "vision",
        run_id: "after-upgrade",
        experiment_name: null,
      });
      expect(registered.status).toBe(200);
      expect(Number((registered.json as { id: string }).id)).toBeGreaterThan(3);
      const ingest = await call(
        server.base,
        member,
        "POST",
        `/api/v1/runs/${(registered.json as { id: string }).id}/ingest`,
        { points: [{ path: "train/loss", step: 0, timestampMs: 1, number: 0.5 }] },
      );
      expect(ingest.status).toBe(200);
      const runs = (await call(server.base, member, "GET", "/api/runs?project=vision")).json as {
        runs: { run_id: string }[];
      };
      expect(runs.runs.map((run) => run.run_id).sort()).toEqual(["after-upgrade", "r-one"]);
    }, 120_000);

    it("migrates a v1 database once when two servers start on it at the same time", async () => {
      const url = await v1Database(backend);
      const [first, second] = await Promise.all([
        spawnServer(url, ["--home-workspace", "acme"]),
        spawnServer(url, ["--home-workspace", "acme"]),
      ]);
      await using a = first;
      await using b = second;
      const migrated = [a.output(), b.output()].filter((output) =>
        output.includes('"event":"schema migrated"'),
      );
      expect(migrated).toHaveLength(1);
      expect(await versions(url)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
      for (const server of [a, b]) {
        const answer = await call(server.base, keyOf("member"), "GET", "/api/runs");
        expect(answer.json).toEqual(answers["member GET /api/runs"]);
      }
    }, 120_000);

    if (backend === "postgres")
      it("applies the steps once when many connections migrate at the same moment", async () => {
        const url = await v1Database(backend);
        const handles = await Promise.all(Array.from({ length: 4 }, () => openDatabase(url)));
        try {
          const applied = await Promise.all(handles.map((db) => migrate(db)));
          expect(applied.filter((versions) => versions.length > 0)).toEqual([
            Array.from({ length: LATEST_VERSION - 1 }, (_, i) => i + 2),
          ]);
        } finally {
          for (const db of handles) await db.close();
        }
        expect(await versions(url)).toEqual(
          Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
        );
      }, 60_000);

    it("refuses a database newer than this code with exit 1 and a clear message, and leaves it as it was", async () => {
      const url = await freshDatabase(backend);
      const db = await openDatabase(url);
      await migrate(db);
      const newer = LATEST_VERSION + 1;
      await db.sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${newer}, ${"from the future"}, ${"2030-01-01T00:00:00Z"})`;
      await db.close();
      const child = Bun.spawn(
        [
          process.execPath,
          join(REPO_ROOT, "bin/goodseed.ts"),
          "server",
          "--database",
          url,
          "--port",
          "0",
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
      const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `schema version ${newer}, newer than this goodseed understands (${LATEST_VERSION})`,
      );
      expect(stderr).toContain("upgrade goodseed");
      expect(await versions(url)).toEqual([
        ...Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
        newer,
      ]);
    }, 60_000);
  });
}
