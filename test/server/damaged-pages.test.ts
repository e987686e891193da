/**
 * A finished run whose metric_points b-tree is damaged inside, in ways that leave
 * every page well formed: the page reader must notice that what it decoded is not
 * the table (its rows out of rowid order, outside their parent's key range, or not
 * as many as SQLite counts) and let SQLite answer instead.
 */

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { appFor, request } from "../helpers/server.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/** Past the 200,000 rows from which the server decodes the table's pages. */
const BULK = 240_000;

/** A finished run with one long series, a short one and a few string points. */
async function writeRun(home: string): Promise<string> {
  const run = localRun(home, { project: "p", runId: "whole" });
  for (let step = 0; step < 100; step++) run.log("short", step / 100, { step });
  for (let step = 0; step < 300; step++) run.log("notes", `line ${step}`, { step });
  await run.close();
  const file = join(home, "projects/p/runs/whole.sqlite");
  const db = new Database(file);
  db.run("INSERT INTO metric_series (path) VALUES ('bulk')");
  db.run(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${BULK - 1}) INSERT INTO metric_points (series_id, step, y, ts) SELECT (SELECT id FROM metric_series WHERE path = 'bulk'), i, i * 0.25, 1767225600 + i FROM n`,
  );
  db.run("PRAGMA journal_mode = DELETE");
  db.close();
  return file;
}

interface Page {
  readonly number: number;
  readonly offset: number;
  readonly kind: number;
  readonly cells: number;
}

/** Reads the b-tree pages of `table` in `bytes` (a whole SQLite file). */
function btree(bytes: Uint8Array, root: number) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = view.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const page = (number: number): Page => {
    const offset = (number - 1) * pageSize + (number === 1 ? 100 : 0);
    return { number, offset, kind: bytes[offset] as number, cells: view.getUint16(offset + 3) };
  };
  /** Where the child pointer of `cell` of interior page `p` lies (the right-most for cell = cells). */
  const childAt = (p: Page, cell: number): number => {
    if (cell === p.cells) return p.offset + 8;
    return (p.number - 1) * pageSize + view.getUint16(p.offset + 12 + 2 * cell);
  };
  const child = (p: Page, cell: number): number => view.getUint32(childAt(p, cell));
  /** The first interior page whose children are leaves. */
  const lowestInterior = (): Page => {
    let p = page(root);
    for (;;) {
      const next = page(child(p, 0));
      if (next.kind !== 5) return p;
      p = next;
    }
  };
  return { view, page, childAt, child, lowestInterior };
}

function rootOf(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.query("SELECT rootpage FROM sqlite_master WHERE name = ?").get(table) as {
        rootpage: number;
      }
    ).rootpage;
  } finally {
    db.close();
  }
}

/**
 * What SQLite itself answers for the series at `path` (every column, as the server
 * reads it: the index alone holds the steps): its points, or the error it throws.
 */
function throughSqlite(file: string, path: string): { points: unknown[] } | { error: string } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .query(
        "SELECT p.step AS step, p.y AS y, p.ts AS ts FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.path = ? ORDER BY p.step",
      )
      .all(path) as { step: number; y: number | string }[];
    // As the API writes values: text (how NaN is kept) read as a number, non-finite ones as strings.
    const value = (y: number | string): number | string => {
      const number = Number(y);
      return Number.isFinite(number) ? number : String(number);
    };
    return { points: rows.map((row) => [row.step, value(row.y)]) };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    db.close();
  }
}

const DAMAGE: Record<string, (file: string) => void> = {
  "a leaf listed twice by its parent": (file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const tree = btree(bytes, rootOf(file, "metric_points"));
    const parent = tree.lowestInterior();
    tree.view.setUint32(tree.childAt(parent, 1), tree.child(parent, 0));
    writeFileSync(file, bytes);
  },
  "a leaf of another table in place of one of this table's": (file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const strings = btree(bytes, rootOf(file, "string_points"));
    const stringRoot = strings.page(rootOf(file, "string_points"));
    const stringLeaf = stringRoot.kind === 13 ? stringRoot.number : strings.child(stringRoot, 0);
    const tree = btree(bytes, rootOf(file, "metric_points"));
    const parent = tree.lowestInterior();
    tree.view.setUint32(tree.childAt(parent, 0), stringLeaf);
    writeFileSync(file, bytes);
  },
  "a leaf that lost some of its cells": (file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const tree = btree(bytes, rootOf(file, "metric_points"));
    const leaf = tree.page(tree.child(tree.lowestInterior(), 2));
    tree.view.setUint16(leaf.offset + 3, leaf.cells - 3);
    writeFileSync(file, bytes);
  },
};

describe("a finished run with a damaged metric_points b-tree", () => {
  it("is answered as SQLite reads it, never as the page reader misread it", async () => {
    await using dir = tempDir();
    const whole = await writeRun(dir.path);
    const projects = join(dir.path, "projects");
    mkdirSync(join(projects, "damaged/runs"), { recursive: true });
    const names = Object.keys(DAMAGE);
    names.forEach((name, i) => {
      const file = join(projects, "damaged/runs", `d${i}.sqlite`);
      copyFileSync(whole, file);
      (DAMAGE[name] as (file: string) => void)(file);
    });
    await using app = appFor(projects);
    // The undamaged file is read from its pages, and whole.
    const intact = await request(app, "/api/runs/p/whole/metrics?path=bulk&pointCount=10");
    expect(intact.headers.get("server-timing")).toContain('desc="pages"');
    expect(intact.body.totalCount).toBe(BULK);

    for (const [i, name] of names.entries()) {
      const file = join(projects, "damaged/runs", `d${i}.sqlite`);
      for (const path of ["bulk", "short"]) {
        const expected = throughSqlite(file, path);
        const result = await request(app, `/api/runs/damaged/d${i}/metrics?path=${path}`);
        const answer =
          result.status === 200
            ? {
                points: (result.body.metrics as { step: number; value: unknown }[]).map((point) => [
                  point.step,
                  point.value,
                ]),
              }
            : { error: result.body.error as string };
        const same =
          "error" in expected
            ? "error" in answer
            : "points" in answer && Bun.deepEquals(answer.points, expected.points);
        const source = /desc="([^"]+)"/.exec(result.headers.get("server-timing") ?? "")?.[1];
        expect({ name, path, same, source }).toEqual({
          name,
          path,
          same: true,
          source: result.status === 200 ? "sqlite" : undefined,
        });
      }
    }
  }, 60_000);
});
