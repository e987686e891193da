/**
 * A bounded cache of read connections to run files, least recently used first out,
 * closed after a while unused.
 *
 * A file whose -wal is absent or empty cannot be changing under us (writers only
 * ever touch the main file when they checkpoint a non-empty WAL), so it is opened
 * `immutable`: no locks and no -wal/-shm files, about three times cheaper to open.
 * That connection is kept only while the file keeps the same size and mtime. Any
 * other file gets a read-write connection in `query_only` mode, so that closing the
 * last one checkpoints and removes the side files a read-only reader would leave; a
 * file that cannot be opened for writing (a read-only directory) is opened read-only.
 */

import { constants, Database } from "bun:sqlite";
import { type Stats, statSync } from "node:fs";

export interface PoolOptions {
  /** Most connections kept open. @default 64 */
  maxOpen?: number;
  /** Close a connection unused for this long. @default 15000 */
  idleMs?: number;
}

/** What a reader needs to know of a run file's state. */
export interface FileVersion {
  /** Changes whenever the file or its -wal changes size or mtime. */
  readonly key: string;
  /** True when there is no WAL content: the main file holds everything. */
  readonly settled: boolean;
}

interface Entry {
  db: Database;
  lastUsed: number;
  /** The version an immutable connection was opened at; undefined for a live connection. */
  immutableKey: string | undefined;
}

/** The version of a run file from its stats and its -wal's (undefined: no -wal). */
export function versionOf(main: Stats, wal: Stats | undefined): FileVersion {
  const walSize = wal?.size ?? 0;
  return {
    key: `${main.size}:${main.mtimeMs}:${walSize}:${wal?.mtimeMs ?? 0}`,
    settled: walSize === 0,
  };
}

export function fileVersion(file: string): FileVersion | undefined {
  const main = statSync(file, { throwIfNoEntry: false });
  if (!main?.isFile()) return undefined;
  return versionOf(main, statSync(`${file}-wal`, { throwIfNoEntry: false }));
}

/** An SQLite URI for `file` (`%`, `?` and `#` escaped, as URIs need). */
function fileUri(file: string, query: string): string {
  return `file:${file.replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}?${query}`;
}

/** Opens a settled file without locks or side files (see the module comment). */
export function openImmutable(file: string): Database {
  return new Database(
    fileUri(file, "immutable=1"),
    (constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI) as never,
  );
}

/**
 * Opens a file that may be being written: read-write in `query_only` mode (see the
 * module comment), or read-only where the directory does not allow writing.
 */
export function openLive(file: string): Database {
  let db: Database;
  try {
    db = new Database(file, { readwrite: true, create: false, strict: true });
    db.run("PRAGMA query_only=1");
  } catch {
    db = new Database(file, { readonly: true, strict: true });
  }
  db.run("PRAGMA busy_timeout=3000");
  return db;
}

export class ConnectionPool {
  readonly #entries = new Map<string, Entry>();
  readonly #maxOpen: number;
  readonly #idleMs: number;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: PoolOptions = {}) {
    this.#maxOpen = options.maxOpen ?? 64;
    this.#idleMs = options.idleMs ?? 15_000;
  }

  /** Runs `read` on a (cached) connection to `file` at `version`. */
  with<T>(file: string, version: FileVersion, read: (db: Database) => T): T {
    let entry = this.#entries.get(file);
    if (entry) {
      this.#entries.delete(file);
      if (entry.immutableKey !== undefined && entry.immutableKey !== version.key) {
        entry.db.close();
        entry = undefined;
      }
    }
    if (!entry) {
      const db = version.settled ? openImmutable(file) : openLive(file);
      entry = { db, lastUsed: 0, immutableKey: version.settled ? version.key : undefined };
      this.#evict(this.#maxOpen - 1);
    }
    entry.lastUsed = Date.now();
    this.#entries.set(file, entry);
    this.#startSweeper();
    return read(entry.db);
  }

  /**
   * Runs `read` once: on the cached connection if there is one, else on a connection
   * of its own, closed again at once when the file is settled (so a scan over
   * thousands of files does not churn the cache).
   */
  read<T>(file: string, version: FileVersion, read: (db: Database) => T): T {
    if (this.#entries.has(file) || !version.settled) return this.with(file, version, read);
    const db = openImmutable(file);
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  /** Closes the connection to `file`, if one is open (before writing to it, or when it broke). */
  forget(file: string): void {
    const entry = this.#entries.get(file);
    if (!entry) return;
    this.#entries.delete(file);
    entry.db.close();
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(keep: number): void {
    while (this.#entries.size > keep) {
      const [file, oldest] = this.#entries.entries().next().value as [string, Entry];
      this.#entries.delete(file);
      oldest.db.close();
    }
  }

  #startSweeper(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(
      () => {
        const cutoff = Date.now() - this.#idleMs;
        for (const [file, entry] of this.#entries) {
          if (entry.lastUsed < cutoff) this.forget(file);
        }
        if (this.#entries.size === 0) this.#stopSweeper();
      },
      Math.max(1000, this.#idleMs / 2),
    );
    this.#sweeper.unref();
  }

  #stopSweeper(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  close(): void {
    this.#stopSweeper();
    for (const file of [...this.#entries.keys()]) this.forget(file);
  }
}
