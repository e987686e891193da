/**
 * The catalog of run files under the served directory (every `**\/runs/*.sqlite`),
 * with a summary per run that is re-read only when the file or its -wal changed size
 * or mtime.
 *
 * A recursive file watcher says which files changed, so a request re-stats only
 * those (a full walk stats 10,000 paths for 5,000 runs); where watching is not
 * available every request walks and stats. Summaries of the whole tree are read in
 * the background when the catalog starts, so the first run list rarely waits.
 */

import {
  type Dirent,
  type FSWatcher,
  lstatSync,
  readdirSync,
  type Stats,
  statSync,
  watch,
} from "node:fs";
import { join, sep } from "node:path";
import type { ConnectionPool } from "../storage/connection-pool.ts";
import type { RunFile } from "./run-file.ts";
import { type RunSummary, readSummary } from "./run-summary.ts";
import { ServedDir, type ServedFile } from "./served-dir.ts";
import { SummaryReader } from "./summary-client.ts";

export type { RunFile } from "./run-file.ts";
export type { RunSummary } from "./run-summary.ts";

export interface CatalogWarnings {
  warn(message: string): void;
}

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

/** A path's stats, or undefined when it is missing or cannot be stat'ed (a loop of links, a name too long). */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class RunCatalog {
  readonly root: string;
  /** The served directory's bounds. */
  readonly served: ServedDir;
  readonly #pool: ConnectionPool;
  readonly #warnings: CatalogWarnings;
  readonly #dirs = new Map<string, CachedDir>();
  readonly #summaries = new Map<string, { key: string; summary: RunSummary | undefined }>();
  readonly #warned = new Set<string>();
  readonly #reader = new SummaryReader(this);
  /** The files as of the last walk, when a watcher keeps them current. */
  #files: Map<string, RunFile> | undefined;
  #sorted: RunFile[] | undefined;
  #dirty = new Set<string>();
  #rewalk = true;
  #watcher: FSWatcher | undefined;
  #watching = false;
  #closed = false;
  /** Bumped on every change the catalog sees, so that bodies built from it can be cached. */
  generation = 0;

  constructor(
    root: string,
    pool: ConnectionPool,
    warnings: CatalogWarnings,
    options: { watch?: boolean } = {},
  ) {
    this.root = root;
    this.served = new ServedDir(root);
    this.#pool = pool;
    this.#warnings = warnings;
    if (options.watch ?? true) this.#startWatching();
  }

  #startWatching(): void {
    if (this.#watcher || this.#closed || !statOrUndefined(this.root)?.isDirectory()) return;
    try {
      this.#watcher = watch(this.root, { recursive: true }, (_event, name) => this.#onEvent(name));
      this.#watcher.on("error", () => this.#stopWatching());
      this.#watcher.unref();
      this.#watching = true;
      this.#rewalk = true;
    } catch {
      this.#watching = false;
    }
  }

  #stopWatching(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watching = false;
  }

  #onEvent(name: string | Buffer | null): void {
    this.generation++;
    const relative = name === null ? "" : String(name);
    let target = relative;
    for (const suffix of ["-wal", "-shm", "-journal"]) {
      if (target.endsWith(suffix)) target = target.slice(0, -suffix.length);
    }
    if (target.endsWith(".sqlite")) this.#dirty.add(join(this.root, target));
    else this.#rewalk = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    this.#stopWatching();
  }

  /** Every run file, with current versions, in path order. */
  files(): RunFile[] {
    if (!this.#watching) {
      this.#startWatching();
      if (!this.#watching) return this.#walkAll();
    }
    if (this.#rewalk || !this.#files) {
      this.#rewalk = false;
      this.#dirty.clear();
      const files = this.#walkAll();
      this.#files = new Map(files.map((run) => [run.file, run]));
      this.#sorted = files;
      this.generation++;
      return files;
    }
    if (this.#dirty.size > 0) {
      const files = this.#files;
      for (const file of this.#dirty) {
        const known = files.get(file);
        const fresh = known
          ? this.#statRun(known.project, known.stem, file, this.#isLink(file))
          : undefined;
        if (fresh) files.set(file, fresh);
        else if (known) files.delete(file);
        else this.#rewalk = true;
      }
      this.#dirty.clear();
      this.#sorted = undefined;
      if (this.#rewalk) return this.files();
    }
    this.#sorted ??= [...(this.#files as Map<string, RunFile>).values()].sort((a, b) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
    );
    return this.#sorted;
  }

  #walkAll(): RunFile[] {
    const files: RunFile[] = [];
    if (statOrUndefined(this.root)?.isDirectory()) this.#walk(this.root, "", files);
    return files;
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

  #isLink(file: string): boolean {
    try {
      return lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
    } catch {
      return false;
    }
  }

  /** A run file found by the walk (`link`: it is a symlink), if it may be served. */
  #statRun(
    project: string,
    stem: string,
    file: string,
    link: boolean,
    mayHaveWal = true,
  ): RunFile | undefined {
    const served = this.served.runFile(file, link, mayHaveWal);
    if (!served) return undefined;
    return { project, stem, file, mtimeMs: served.stats.mtimeMs, version: served.version };
  }

  /**
   * The run file at `file` (a path under the served directory built from a request),
   * if it may be served: see {@link ServedDir}.
   */
  lookup(file: string): ServedFile | undefined {
    return this.served.runFile(file);
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
        const run = this.#statRun(
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

  /** Whether the summary of `run` in its current version is at hand (no read needed). */
  hasSummary(run: RunFile): boolean {
    return this.#summaries.get(run.file)?.key === run.version.key;
  }

  /** The summary of one run file, re-read only when the file changed; `undefined` if unreadable. */
  summary(run: RunFile): RunSummary | undefined {
    const cached = this.#summaries.get(run.file);
    if (cached && cached.key === run.version.key) return cached.summary;
    let summary: RunSummary | undefined;
    try {
      summary = this.#pool.read(run.file, run.version, (db) =>
        readSummary(db, run.project, run.stem),
      );
      this.#warned.delete(run.file);
    } catch (error) {
      this.#pool.forget(run.file);
      if (!this.#warned.has(run.file)) {
        this.#warned.add(run.file);
        this.#warnings.warn(
          `skipping ${run.file} in the run list: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      summary = undefined;
    }
    this.#summaries.set(run.file, { key: run.version.key, summary });
    return summary;
  }

  /**
   * The summaries of `runs`, in their order (undefined for unreadable files). Those
   * not at hand are read in slices of `sliceMs`, yielding to the event loop in
   * between so that other requests are answered meanwhile; when many are missing,
   * the summary Worker reads some of them at the same time.
   */
  summaries(runs: readonly RunFile[], sliceMs = 10): Promise<(RunSummary | undefined)[]> {
    return this.#reader.summaries(runs, sliceMs);
  }

  /** Keeps a summary read elsewhere (by the summary Worker) of version `key` of `file`. */
  store(file: string, key: string, summary: RunSummary): void {
    if (this.#summaries.get(file)?.key !== key) this.#summaries.set(file, { key, summary });
  }

  /** Reads the summaries of every run, so that the first run list rarely waits. */
  async warm(): Promise<void> {
    await this.summaries(this.files());
  }

  /**
   * A token that changes whenever any of `files` (as just returned by `files()`) may
   * have changed: the change counter while a watcher reports changes, else their versions.
   */
  changeToken(files: readonly RunFile[]): string {
    if (this.#watching) return `g${this.generation}`;
    let token = `s${this.generation}`;
    for (const run of files) token += `\u0000${run.file}\u0001${run.version.key}`;
    return token;
  }

  /** Forgets cached state for `file` (after the server itself wrote to it). */
  invalidate(file: string): void {
    this.#summaries.delete(file);
    this.#dirty.add(file);
    this.generation++;
  }

  /** Drops summaries of files that no longer exist. */
  prune(present: readonly RunFile[]): void {
    if (this.#summaries.size <= present.length) return;
    const keep = new Set(present.map((run) => run.file));
    for (const file of this.#summaries.keys()) if (!keep.has(file)) this.#summaries.delete(file);
  }
}
