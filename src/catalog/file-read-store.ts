/**
 * The read API's storage seam over run files: the catalog of `**\/runs/*.sqlite`
 * under a served directory, read connections kept open, and the series store.
 */

import { Database } from "bun:sqlite";
import { statSync, utimesSync } from "node:fs";
import type {
  ReadStore,
  RunHandle,
  SeriesColumns,
  SeriesTrace,
  StoredConfigValue,
  StringPage,
  StringPageQuery,
  Versioned,
  WriterLiveness,
} from "../api/read-store.ts";
import type { RunEdit, RunEditor } from "../api/run-edits.ts";
import type { ProjectSummary, RunSummary } from "../api/wire.ts";
import type { CacheStats } from "../cache/byte-lru.ts";
import { walModified } from "../run/liveness.ts";
import { readSlice } from "../series/range-read.ts";
import { SeriesCache } from "../series/series-cache.ts";
import { ConnectionPool, type FileVersion } from "../storage/connection-pool.ts";
import { type CatalogWarnings, RunCatalog } from "./run-catalog.ts";
import { editRunFile } from "./run-editor.ts";
import { RunLists } from "./run-list.ts";
import { fileLiveness } from "./run-liveness.ts";
import { runFilePath } from "./run-path.ts";
import {
  metricSeriesWithPoints,
  readConfigs,
  readStringPage,
  type StringTotals,
  seriesId,
  stringTotals,
} from "./run-reads.ts";

export interface FileStoreOptions {
  /** The directory served: `<home>/projects`. */
  projectsDir: string;
  /** Receives warnings such as skipped unreadable run files. @default silent */
  logger?: CatalogWarnings | undefined;
  /** Read connections kept open. @default 64 */
  maxOpenFiles?: number;
  /** Watch the directory for changes (a server), or stat on every call (one command). @default true */
  watch?: boolean;
  /** Read every run's summary in the background shortly after opening. @default true */
  warm?: boolean;
  /** Byte bounds of the store's caches. */
  cacheBytes?: StoreCacheBytes | undefined;
}

/** Byte bounds of a file store's caches. */
export interface StoreCacheBytes {
  /** Metric series kept as columns, 24 bytes a point. @default 512 MiB */
  series?: number | undefined;
  /** Point counts of string series per requested path. @default 1 MiB */
  counts?: number | undefined;
}

/** Points per piece when a whole run's metrics are streamed: one short query each. */
const SLICE_POINTS = 8192;

interface Located {
  /** The file's real path: where it is read and written, and its -wal kept. */
  readonly file: string;
  /** The path the catalog lists it under (differs where a symlink inside the served directory leads to it). */
  readonly listed: string;
  readonly version: FileVersion;
}

export class FileReadStore implements ReadStore, RunEditor {
  readonly root: string;
  readonly #pool: ConnectionPool;
  readonly #catalog: RunCatalog;
  readonly #lists: RunLists;
  readonly #series: SeriesCache;
  readonly #stringTotals: StringTotals;
  /** Verdicts on dead writers, by file, kept while the file's version holds. */
  readonly #deadWriters = new Map<string, { version: string; liveness: WriterLiveness }>();
  /** Where each handle this store gave out points. */
  readonly #located = new WeakMap<RunHandle, Located>();
  /**
   * Runs a prefetch was asked for whose reads have not started yet, by
   * `project\u0000runId`: each resolves once its run's read has started (or was passed
   * over), so that a request for the run's series waits for that read instead of
   * decoding the file itself.
   */
  readonly #starting = new Map<string, Promise<void>>();

  constructor(options: FileStoreOptions) {
    this.root = options.projectsDir;
    this.#series = new SeriesCache(options.cacheBytes?.series ?? 512 * 2 ** 20);
    this.#stringTotals = stringTotals(options.cacheBytes?.counts ?? 2 ** 20);
    this.#pool = new ConnectionPool({ maxOpen: options.maxOpenFiles ?? 64 });
    this.#catalog = new RunCatalog(this.root, this.#pool, options.logger ?? { warn() {} }, {
      watch: options.watch ?? true,
    });
    this.#lists = new RunLists(this.#catalog);
    if (options.warm ?? true) {
      // Read every run's summary in the background, in small slices, so that the first
      // run list does not wait and the first requests are not held up by the warm-up either.
      setTimeout(() => void this.#catalog.warm().catch(() => {}), 25).unref();
    }
  }

  async projects(): Promise<Versioned<readonly ProjectSummary[]>> {
    return this.#lists.projects();
  }

  runs(project: string | undefined): Promise<Versioned<readonly RunSummary[]>> {
    return this.#lists.runs(project);
  }

  async run(project: string, runId: string): Promise<RunHandle | undefined> {
    const listed = runFilePath(this.root, project, runId);
    // Only a non-empty file that stays inside the served directory is a run (see ServedDir).
    const served = listed === undefined ? undefined : this.#catalog.lookup(listed);
    if (listed === undefined || served === undefined) return undefined;
    const handle: RunHandle = { project, runId, version: served.version.key };
    this.#located.set(handle, { file: served.real, listed, version: served.version });
    return handle;
  }

  #locate(run: RunHandle): Located {
    const located = this.#located.get(run);
    if (!located) throw new TypeError("a run handle from another store");
    return located;
  }

  /** Runs `read` on a connection to the run's file; a failed read drops what is cached of it. */
  async #read<T>(run: RunHandle, read: (db: Database, at: Located) => T | Promise<T>): Promise<T> {
    const at = this.#locate(run);
    try {
      return await this.#pool.with(at.file, at.version, (db) => read(db, at));
    } catch (error) {
      this.#pool.forget(at.file);
      this.#series.forget(at.file);
      throw error;
    }
  }

  liveness(run: RunHandle): Promise<WriterLiveness> {
    const { file } = this.#locate(run);
    const walModifiedMs = walModified(file);
    return this.#read(run, (db, at) => {
      // A dead writer stays dead while the file does not change: the verdict (which may
      // scan the points for the file's last write) is kept until its version moves.
      const kept = this.#deadWriters.get(file);
      if (kept?.version === at.version.key) return kept.liveness;
      const liveness = fileLiveness(db, walModifiedMs);
      if (liveness.state === "dead") {
        if (this.#deadWriters.size >= 4096) this.#deadWriters.clear();
        this.#deadWriters.set(file, { version: at.version.key, liveness });
      } else this.#deadWriters.delete(file);
      return liveness;
    });
  }

  configs(run: RunHandle): Promise<ReadonlyMap<string, StoredConfigValue>> {
    return this.#read(run, readConfigs);
  }

  metricPaths(run: RunHandle): Promise<readonly string[]> {
    return this.#read(run, (db) => metricSeriesWithPoints(db).map(([, path]) => path));
  }

  async metricSeries(
    run: RunHandle,
    path: string,
    trace: SeriesTrace = {},
  ): Promise<SeriesColumns | undefined> {
    await this.#starting.get(`${run.project}\u0000${run.runId}`);
    return this.#read(run, (db, at) => {
      const id = seriesId(db, "metric_series", path);
      return id === undefined ? undefined : this.#series.get(db, at.file, at.version, id, trace);
    });
  }

  /**
   * Reads the metric series of runs ahead of the requests for them (runs a page links
   * to): those of settled files that a request would decode whole, on the series
   * loader Worker. Resolves when they are in memory; runs that do not exist, and
   * failures, are passed over (the requests will say).
   *
   * Only registered now: each run's read starts on a turn of the event loop of its own,
   * later, since finding, opening and looking into a file takes a millisecond or two on
   * this thread (20-40 ms for 30 runs), which the page that linked them, its scripts and
   * other requests should not wait for. A request for a registered run's series waits
   * for its read to start.
   */
  prefetchSeries(runs: readonly { project: string; runId: string }[]): Promise<void> {
    let turn = Promise.resolve();
    const reads = runs.map(({ project, runId }) => {
      const key = `${project}\u0000${runId}`;
      turn = turn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
      // The decode's promise goes in a box, so that the file's connection is not held
      // for it (the Worker reads the file on a connection of its own).
      const started = turn
        .then(async () => {
          const handle = await this.run(project, runId);
          if (!handle) return undefined;
          return this.#read(handle, (db, at) => ({
            decoded: this.#series.prefetch(db, at.file, at.version),
          }));
        })
        .catch(() => undefined);
      const registered = started.then(() => {});
      this.#starting.set(key, registered);
      void registered.then(() => {
        if (this.#starting.get(key) === registered) this.#starting.delete(key);
      });
      return started.then((box) => box?.decoded);
    });
    return Promise.all(reads).then(
      () => {},
      () => {},
    );
  }

  async *allMetrics(
    run: RunHandle,
  ): AsyncIterable<{ readonly path: string; readonly columns: SeriesColumns }> {
    const series = await this.#read(run, metricSeriesWithPoints);
    for (const [id, path] of series) {
      // Piece by piece, outside the series cache: a whole file must not evict it, and
      // no read of a million-point series may hold the thread or its points in memory.
      let after = Number.NEGATIVE_INFINITY;
      for (;;) {
        const piece = await this.#read(run, (db) => readSlice(db, id, after, SLICE_POINTS));
        if (piece.length > 0) yield { path, columns: piece };
        if (piece.length < SLICE_POINTS) break;
        after = piece.steps[piece.length - 1] as number;
      }
    }
  }

  stringPage(run: RunHandle, query: StringPageQuery): Promise<StringPage> {
    return this.#read(run, (db, at) =>
      readStringPage(db, at.file, at.version, query, this.#stringTotals),
    );
  }

  async setTrashed(run: RunHandle, trashed: boolean): Promise<void> {
    const { file, listed } = this.#locate(run);
    // The mtime is put back afterwards: trashing is not a change to the run's data, so
    // it must not reorder the projects.
    const before = statSync(file);
    this.#pool.forget(file);
    this.#series.forget(file);
    const db = new Database(file, { readwrite: true, create: false, strict: true });
    try {
      db.run("PRAGMA busy_timeout=5000");
      db.transaction(() => {
        if (trashed)
          db.run("INSERT OR REPLACE INTO run_meta (key, value) VALUES ('trashed', 'true')");
        else db.run("DELETE FROM run_meta WHERE key = 'trashed'");
      }).immediate();
    } finally {
      db.close();
    }
    utimesSync(file, before.atimeMs / 1000, before.mtimeMs / 1000);
    this.#catalog.invalidate(file);
    if (listed !== file) this.#catalog.invalidate(listed);
  }

  cacheStats(): Readonly<Record<string, CacheStats>> {
    return { series: this.#series.stats, counts: this.#stringTotals.stats };
  }

  /** Renames, describes, tags or trashes a run file as its writer would (`run-editor.ts`). */
  async editRun(run: RunHandle, edit: RunEdit): Promise<void> {
    const { file } = this.#locate(run);
    this.#pool.forget(file);
    this.#series.forget(file);
    try {
      editRunFile(file, run.runId, edit);
    } finally {
      this.#catalog.invalidate(file);
    }
  }

  async close(): Promise<void> {
    this.#catalog.close();
    this.#pool.close();
  }
}
