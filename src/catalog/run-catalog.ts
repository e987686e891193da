/**
 * The catalog of run files under the served directory (every `**\/runs/*.sqlite`),
 * with a summary per run that is re-read only when the file or its -wal changed size
 * or mtime (`summary-cache.ts`).
 *
 * A recursive file watcher (`tree-watch.ts`) says which files changed, so a request
 * re-stats only those; where watching is not available every request walks and stats
 * (`run-walk.ts`). Summaries of the whole tree are read in the background when the
 * catalog starts, so the first run list rarely waits.
 */

import type { ConnectionPool } from "../storage/connection-pool.ts";
import { isSymlink } from "./quiet-stat.ts";
import type { RunFile } from "./run-file.ts";
import type { RunSummary } from "./run-summary.ts";
import { RunWalk } from "./run-walk.ts";
import { ServedDir, type ServedFile } from "./served-dir.ts";
import { type CatalogWarnings, SummaryCache } from "./summary-cache.ts";
import { SummaryReader } from "./summary-client.ts";
import { TreeWatch } from "./tree-watch.ts";

export type { RunFile } from "./run-file.ts";
export type { RunSummary } from "./run-summary.ts";
export type { CatalogWarnings } from "./summary-cache.ts";

function byFile(a: RunFile, b: RunFile): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

export class RunCatalog {
  readonly root: string;
  /** The served directory's bounds. */
  readonly served: ServedDir;
  readonly #walk: RunWalk;
  readonly #watch: TreeWatch;
  readonly #summaries: SummaryCache;
  readonly #reader: SummaryReader;
  /** The files as of the last walk, when a watcher keeps them current. */
  #files: Map<string, RunFile> | undefined;
  #sorted: RunFile[] | undefined;
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
    this.#walk = new RunWalk(this.served);
    this.#watch = new TreeWatch(root, () => this.generation++);
    this.#summaries = new SummaryCache(pool, warnings);
    this.#reader = new SummaryReader(this.#summaries);
    if (options.watch ?? true) this.#watch.start();
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    this.#summaries.close();
    this.#watch.stop();
  }

  /** Every run file, with current versions, in path order. */
  files(): RunFile[] {
    if (!this.#watch.watching) {
      if (!this.#closed) this.#watch.start();
      if (!this.#watch.watching) return this.#walk.all();
    }
    const changes = this.#watch.take();
    let rewalk = changes.rewalk || !this.#files;
    if (!rewalk && changes.dirty.size > 0) {
      const files = this.#files as Map<string, RunFile>;
      for (const file of changes.dirty) {
        const known = files.get(file);
        const fresh = known
          ? this.#walk.runFile(known.project, known.stem, file, isSymlink(file))
          : undefined;
        if (fresh) files.set(file, fresh);
        else if (known) files.delete(file);
        else rewalk = true;
      }
      this.#sorted = undefined;
    }
    if (rewalk) {
      const files = this.#walk.all();
      this.#files = new Map(files.map((run) => [run.file, run]));
      this.#sorted = files;
      this.generation++;
      return files;
    }
    this.#sorted ??= [...(this.#files as Map<string, RunFile>).values()].sort(byFile);
    return this.#sorted;
  }

  /**
   * The run file at `file` (a path under the served directory built from a request),
   * if it may be served: see {@link ServedDir}.
   */
  lookup(file: string): ServedFile | undefined {
    return this.served.runFile(file);
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

  /** Reads the summaries of every run, so that the first run list rarely waits. */
  async warm(): Promise<void> {
    await this.summaries(this.files());
  }

  /**
   * A token that changes whenever any of `files` (as just returned by `files()`) may
   * have changed: the change counter while a watcher reports changes, else their versions.
   */
  changeToken(files: readonly RunFile[]): string {
    if (this.#watch.watching) return `g${this.generation}`;
    let token = `s${this.generation}`;
    for (const run of files) token += `\u0000${run.file}\u0001${run.version.key}`;
    return token;
  }

  /** Forgets cached state for `file` (after the server itself wrote to it). */
  invalidate(file: string): void {
    this.#summaries.forget(file);
    this.#watch.markDirty(file);
    this.generation++;
  }

  /** Drops summaries of files that no longer exist. */
  prune(present: readonly RunFile[]): void {
    this.#summaries.prune(present);
  }
}
