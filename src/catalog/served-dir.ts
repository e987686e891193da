/**
 * The bounds of the served directory. A run file is served only where its real path
 * (every symlink resolved) lies inside the directory's own real path, so that a link
 * under it can neither show nor trash a file elsewhere; and only once it holds
 * something: a SIGKILL before the schema was written leaves an empty file, which is
 * no run (yet). A name the file system refuses (too long, a loop of links, a file
 * where a directory should be) is no run either, never an error.
 */

import { realpathSync, type Stats } from "node:fs";
import { sep } from "node:path";
import { type FileVersion, versionOf } from "../storage/connection-pool.ts";
import { statOrUndefined } from "./quiet-stat.ts";

/** A run file that may be served. */
export interface ServedFile {
  /** Its real path: where SQLite opens it and keeps its -wal. */
  readonly real: string;
  readonly stats: Stats;
  readonly version: FileVersion;
}

export class ServedDir {
  readonly root: string;
  #realRoot: string | undefined;

  constructor(root: string) {
    this.root = root;
  }

  /** The served directory's real path, once it exists. */
  realRoot(): string | undefined {
    if (this.#realRoot === undefined) {
      try {
        this.#realRoot = realpathSync.native(this.root);
      } catch {
        return undefined;
      }
    }
    return this.#realRoot;
  }

  /** The real path of `path` when it exists and lies inside the served directory. */
  contain(path: string): string | undefined {
    const root = this.realRoot();
    if (root === undefined) return undefined;
    let real: string;
    try {
      real = realpathSync.native(path);
    } catch {
      return undefined;
    }
    return real.startsWith(root.endsWith(sep) ? root : root + sep) ? real : undefined;
  }

  /**
   * `file` as a run file that may be served, or undefined. `resolved`: whether `file`
   * may involve a symlink (false only for a plain file found by walking real
   * directories down from the served one, which needs no realpath); `mayHaveWal`:
   * false when the directory listing shows no -wal beside it (one stat saved).
   */
  runFile(file: string, resolved = true, mayHaveWal = true): ServedFile | undefined {
    const real = resolved ? this.contain(file) : file;
    if (real === undefined) return undefined;
    const stats = statOrUndefined(real);
    if (!stats?.isFile() || stats.size === 0) return undefined;
    const wal = mayHaveWal || real !== file ? statOrUndefined(`${real}-wal`) : undefined;
    return { real, stats, version: versionOf(stats, wal) };
  }
}
