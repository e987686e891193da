/**
 * The summary of each run file, kept by the file's version so that it is re-read
 * only when the file or its -wal changed size or mtime. An unreadable file is warned
 * about once, and counts as no run until it changes.
 */

import type { ConnectionPool } from "../storage/connection-pool.ts";
import type { RunFile } from "./run-file.ts";
import { type RunSummary, readSummary } from "./run-summary.ts";
import type { SummaryStore } from "./summary-client.ts";

export interface CatalogWarnings {
  warn(message: string): void;
}

export class SummaryCache implements SummaryStore {
  readonly #pool: ConnectionPool;
  readonly #warnings: CatalogWarnings;
  readonly #summaries = new Map<string, { key: string; summary: RunSummary | undefined }>();
  readonly #warned = new Set<string>();
  #closed = false;

  constructor(pool: ConnectionPool, warnings: CatalogWarnings) {
    this.#pool = pool;
    this.#warnings = warnings;
  }

  /** Whether the catalog closed: background reads stop. */
  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
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

  /** Keeps a summary read elsewhere (by the summary Worker) of version `key` of `file`. */
  store(file: string, key: string, summary: RunSummary): void {
    if (this.#summaries.get(file)?.key !== key) this.#summaries.set(file, { key, summary });
  }

  /** Forgets the summary of `file`. */
  forget(file: string): void {
    this.#summaries.delete(file);
  }

  /** Drops summaries of files that no longer exist. */
  prune(present: readonly RunFile[]): void {
    if (this.#summaries.size <= present.length) return;
    const keep = new Set(present.map((run) => run.file));
    for (const file of this.#summaries.keys()) if (!keep.has(file)) this.#summaries.delete(file);
  }
}
