/**
 * The ids of a run's series in its file, as the sink resolves them: the ring names a
 * series by slot (defined once with its path), the Worker's own series (console lines,
 * hardware) by path. Ids resolved inside a transaction that rolls back are forgotten,
 * since the rows that made them are gone.
 */

import type { Database, Statement } from "bun:sqlite";
import { SeriesKind } from "../queue/layout.ts";

export class SeriesIds {
  readonly #define: Record<number, Statement>;
  readonly #idOf: Record<number, Statement<{ id: number }, [string]>>;
  /** Per slot: the series path, its kind, and its id once resolved in the file (0 = not yet). */
  readonly #slotPaths: string[] = [];
  readonly #slotKinds: number[] = [];
  readonly #slotIds: number[] = [];
  /** Slots resolved inside the open transaction: forgotten again if it rolls back. */
  #resolvedInTxn: number[] = [];
  /** Series ids of paths the Worker logs itself (console lines, hardware), by kind and path. */
  readonly #pathIds = new Map<string, number>();

  constructor(db: Database) {
    this.#define = {
      [SeriesKind.METRIC]: db.query("INSERT OR IGNORE INTO metric_series (path) VALUES (?)"),
      [SeriesKind.STRING]: db.query("INSERT OR IGNORE INTO string_series (path) VALUES (?)"),
    };
    this.#idOf = {
      [SeriesKind.METRIC]: db.query("SELECT id FROM metric_series WHERE path = ?"),
      [SeriesKind.STRING]: db.query("SELECT id FROM string_series WHERE path = ?"),
    };
  }

  /** A DEFINE record: `slot` names the series of `kind` at `path` from now on. */
  define(slot: number, kind: number, path: string): void {
    this.#slotKinds[slot] = kind;
    this.#slotPaths[slot] = path;
    this.#slotIds[slot] ??= 0;
  }

  /** The id of the series in `slot`, created when missing (a bound function, for the ring's reads). */
  readonly of = (slot: number): number => {
    const known = this.#slotIds[slot];
    if (known) return known;
    const path = this.#slotPaths[slot];
    if (path === undefined) throw new Error(`queue names series slot ${slot} before defining it`);
    const id = this.#resolve(this.#slotKinds[slot] as number, path);
    this.#slotIds[slot] = id;
    this.#resolvedInTxn.push(slot);
    return id;
  };

  /** The id of the series of `kind` at `path`, created when missing. */
  pathId(kind: number, path: string): number {
    const key = `${kind}:${path}`;
    let id = this.#pathIds.get(key);
    if (id === undefined) {
      id = this.#resolve(kind, path);
      this.#pathIds.set(key, id);
    }
    return id;
  }

  /** The transaction committed: what it resolved stays. */
  committed(): void {
    this.#resolvedInTxn = [];
  }

  /** The transaction rolled back: what it resolved is resolved again. */
  rolledBack(): void {
    for (const slot of this.#resolvedInTxn) this.#slotIds[slot] = 0;
    this.#resolvedInTxn = [];
    this.#pathIds.clear();
  }

  /**
   * The id of a series, created when missing. It looks first: an INSERT OR IGNORE of
   * an existing path still advances the table's AUTOINCREMENT counter, so every
   * re-resolve (after a rollback, or when a run is resumed) would skip an id.
   */
  #resolve(kind: number, path: string): number {
    const idOf = this.#idOf[kind] as Statement<{ id: number }, [string]>;
    const known = idOf.get(path);
    if (known) return known.id;
    (this.#define[kind] as Statement).run(path);
    const row = idOf.get(path);
    if (!row) throw new Error(`series '${path}' vanished after it was created`);
    return row.id;
  }
}
