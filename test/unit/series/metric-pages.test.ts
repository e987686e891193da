import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeTable } from "../../../src/series/metric-pages.ts";
import { PageFormatError } from "../../../src/series/sqlite-btree.ts";
import { ensureSchema } from "../../../src/storage/schema.ts";
import { tempDir } from "../../helpers/temp-dir.ts";

interface Row {
  series_id: number;
  step: number;
  y: number;
  ts: number;
}

/** Values that SQLite stores in every integer width and as reals, both signs. */
const VALUES = [0, 1, -1, 127, -128, 200, -70_000, 1e8, -(2 ** 40), 2 ** 60, 0.5, -2.25, 1e300];

/** A run file's metric_points with `count` rows over three series, on pages of `pageSize`. */
function writeFile(file: string, pageSize: number, count: number): void {
  const db = new Database(file);
  db.run(`PRAGMA page_size=${pageSize}`);
  ensureSchema(db);
  for (const path of ["a", "b", "c"]) db.run("INSERT INTO metric_series (path) VALUES (?)", [path]);
  const insert = db.query("INSERT INTO metric_points (series_id, step, y, ts) VALUES (?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const value = VALUES[i % VALUES.length] as number;
      insert.run((i % 3) + 1, i * 0.5, i % 7 === 0 ? value : Math.sin(i), 1_700_000_000 + value);
    }
    // The special values as the writer stores them.
    insert.run(1, -1, Number.POSITIVE_INFINITY, 0);
    insert.run(1, -2, Number.NEGATIVE_INFINITY, -1);
  })();
  db.close();
}

function rootOf(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db
        .query<{ rootpage: number }, []>(
          "SELECT rootpage FROM sqlite_master WHERE name = 'metric_points'",
        )
        .get() as { rootpage: number }
    ).rootpage;
  } finally {
    db.close();
  }
}

/** Rows per series id, as SQLite counts them. */
function countsOf(file: string): Map<number, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .query<{ id: number; n: number }, []>(
        "SELECT series_id AS id, count(*) AS n FROM metric_points GROUP BY series_id",
      )
      .all();
    return new Map(rows.map(({ id, n }) => [id, n]));
  } finally {
    db.close();
  }
}

/** What SQLite reads, in rowid order, grouped by series. */
function throughSqlite(file: string): Map<number, Row[]> {
  const db = new Database(file, { readonly: true });
  try {
    const bySeries = new Map<number, Row[]>();
    for (const row of db
      .query<Row, []>("SELECT series_id, step, y, ts FROM metric_points ORDER BY rowid")
      .all()) {
      const rows = bySeries.get(row.series_id) ?? [];
      rows.push(row);
      bySeries.set(row.series_id, rows);
    }
    return bySeries;
  } finally {
    db.close();
  }
}

function decoded(file: string): Map<number, Row[]> {
  const out = new Map<number, Row[]>();
  for (const [id, columns] of decodeTable(file, rootOf(file), countsOf(file))) {
    const rows: Row[] = [];
    for (let i = 0; i < columns.length; i++) {
      rows.push({
        series_id: id,
        step: columns.steps[i] as number,
        y: columns.ys[i] as number,
        ts: columns.ts[i] as number,
      });
    }
    out.set(id, rows);
  }
  return out;
}

describe("the page decoder", () => {
  for (const pageSize of [512, 4096, 65536]) {
    it(`reads every row as SQLite does, on ${pageSize}-byte pages`, () => {
      using dir = tempDir();
      const file = join(dir.path, "run.sqlite");
      writeFile(file, pageSize, 20_000);
      const expected = throughSqlite(file);
      expect([...expected.values()].reduce((sum, rows) => sum + rows.length, 0)).toBe(20_002);
      expect(decoded(file)).toEqual(expected);
    });
  }

  it("refuses a file that is not SQLite and a table holding NULLs", () => {
    using dir = tempDir();
    const junk = join(dir.path, "junk.sqlite");
    writeFileSync(junk, Buffer.alloc(4096, 7));
    expect(() => decodeTable(junk, 2, new Map())).toThrow(PageFormatError);

    const file = join(dir.path, "nulls.sqlite");
    const db = new Database(file);
    db.run("CREATE TABLE metric_points (series_id INTEGER, step REAL, y REAL, ts INTEGER)");
    db.run("INSERT INTO metric_points VALUES (1, 0, NULL, 0)");
    db.close();
    expect(() => decodeTable(file, rootOf(file), new Map([[1, 1]]))).toThrow(PageFormatError);
  });

  it("refuses a root page past the end of the file", () => {
    using dir = tempDir();
    const file = join(dir.path, "run.sqlite");
    writeFile(file, 4096, 10);
    expect(() => decodeTable(file, 10_000, countsOf(file))).toThrow(PageFormatError);
  });

  it("refuses rows that SQLite's counts per series do not hold: one more, one fewer, a series it does not count", () => {
    using dir = tempDir();
    const file = join(dir.path, "run.sqlite");
    writeFile(file, 4096, 300);
    const counts = countsOf(file);
    const root = rootOf(file);
    const rows = [...decodeTable(file, root, counts).values()].map((series) => series.length);
    expect(rows.reduce((sum, n) => sum + n, 0)).toBe(302);
    const changed = (id: number, by: number) =>
      new Map([...counts].map(([key, n]) => [key, key === id ? n + by : n]));
    expect(() => decodeTable(file, root, changed(2, -1))).toThrow(PageFormatError);
    expect(() => decodeTable(file, root, changed(2, 1))).toThrow(PageFormatError);
    const without = new Map(counts);
    without.delete(3);
    expect(() => decodeTable(file, root, without)).toThrow(PageFormatError);
  });
});
