/**
 * The walk of the served directory for run files (every `**\/runs/*.sqlite`). Each
 * directory's listing is kept by its mtime, so a walk of an unchanged tree reads no
 * directory again and stats only the run files (and the -wal files its listing shows).
 */

import { type Dirent, readdirSync } from "node:fs";
import { join, sep } from "node:path";
import { statOrUndefined } from "./quiet-stat.ts";
import type { RunFile } from "./run-file.ts";
import type { ServedDir } from "./served-dir.ts";

interface CachedDir {
  mtimeMs: number;
  dirs: string[];
  /** `*.sqlite` names, when this directory is named `runs`. */
  runFiles: string[];
  /** Those of {@link runFiles} that are symlinks: served only where they stay inside. */
  links: Set<string>;
  /** `*.sqlite-wal` names there: a run file without one needs no second stat. */
  walFiles: Set<string>;
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class RunWalk {
  readonly #served: ServedDir;
  readonly #dirs = new Map<string, CachedDir>();

  constructor(served: ServedDir) {
    this.#served = served;
  }

  /** Every run file under the served directory that may be served, in path order. */
  all(): RunFile[] {
    const files: RunFile[] = [];
    const root = this.#served.root;
    if (statOrUndefined(root)?.isDirectory()) this.#walk(root, "", files);
    return files;
  }

  /** A run file found by a walk (`link`: it is a symlink), if it may be served. */
  runFile(
    project: string,
    stem: string,
    file: string,
    link: boolean,
    mayHaveWal = true,
  ): RunFile | undefined {
    const served = this.#served.runFile(file, link, mayHaveWal);
    if (!served) return undefined;
    return { project, stem, file, mtimeMs: served.stats.mtimeMs, version: served.version };
  }

  #listing(dir: string): CachedDir | undefined {
    const stats = statOrUndefined(dir);
    if (!stats?.isDirectory()) {
      this.#dirs.delete(dir);
      return undefined;
    }
    const cached = this.#dirs.get(dir);
    if (cached && cached.mtimeMs === stats.mtimeMs) return cached;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    const isRuns = dir.endsWith(`${sep}runs`);
    const listing: CachedDir = {
      mtimeMs: stats.mtimeMs,
      dirs: [],
      runFiles: [],
      links: new Set(),
      walFiles: new Set(),
    };
    for (const entry of entries.sort(byName)) {
      if (entry.isDirectory()) listing.dirs.push(entry.name);
      else if (
        isRuns &&
        entry.name.endsWith(".sqlite") &&
        (entry.isFile() || entry.isSymbolicLink())
      ) {
        listing.runFiles.push(entry.name);
        if (entry.isSymbolicLink()) listing.links.add(entry.name);
      } else if (isRuns && entry.name.endsWith(".sqlite-wal")) {
        listing.walFiles.add(entry.name);
      }
    }
    this.#dirs.set(dir, listing);
    return listing;
  }

  #walk(dir: string, relative: string, out: RunFile[]): void {
    const listing = this.#listing(dir);
    if (!listing) return;
    if (listing.runFiles.length > 0) {
      // The project is the directory above runs/ ("." when runs/ is the served directory's own).
      const project =
        relative === "runs" ? "." : relative.slice(0, relative.length - "/runs".length);
      // The listing is as new as the directory's mtime, which a -wal file coming or
      // going changes.
      for (const name of listing.runFiles) {
        const stem = name.slice(0, -".sqlite".length);
        const run = this.runFile(
          project,
          stem,
          join(dir, name),
          listing.links.has(name),
          listing.walFiles.has(`${name}-wal`),
        );
        if (run) out.push(run);
      }
    }
    for (const name of listing.dirs) {
      this.#walk(join(dir, name), relative === "" ? name : `${relative}/${name}`, out);
    }
  }
}
