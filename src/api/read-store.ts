/**
 * The storage seam under the read API: everything the HTTP routes ask of the runs
 * they serve, and nothing about where the runs live. `src/catalog/` implements it
 * over run files; the team server implements it over its database. The routes turn
 * what it returns into the JSON of `wire.ts`.
 *
 * Every method is async (a database answers over a socket). Versions are opaque
 * strings that change whenever what they cover may have changed, so a caller can keep
 * a body built from an answer until the version moves (an ETag, in effect).
 */

import type { CacheStats } from "../cache/byte-lru.ts";
import type { ProjectSummary, RunSummary, StringSeriesQuery } from "./wire.ts";

/**
 * The points of a metric series as columns, in step order (or, straight from a
 * file's pages, in rowid order). Entries past `length` are spare room.
 */
export interface SeriesColumns {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly ts: Float64Array;
  readonly length: number;
}

/** An answer with the version it is current as of. */
export interface Versioned<T> {
  /** Changes whenever the answer may have changed. */
  readonly version: string;
  readonly value: T;
}

/** One run as the store found it: which run, and the version of its data. */
export interface RunHandle {
  readonly project: string;
  readonly runId: string;
  /** Changes whenever anything in the run (points, configs, trash mark) may have changed. */
  readonly version: string;
}

/** A config value as the store holds it: `bigint` for integers beyond 2^53. */
export type StoredConfigValue = null | boolean | number | bigint | string | string[];

/** One point of a string series; `ts` in Unix seconds. */
export interface StringRow {
  readonly path: string;
  readonly step: number;
  readonly value: string;
  readonly ts: number;
}

/** Which string points to read: the query of the route that reads them. */
export type StringPageQuery = StringSeriesQuery;

export interface StringPage {
  readonly rows: readonly StringRow[];
  /** Points of the series (or of all string series), whatever the page. */
  readonly total: number;
}

/** Where a series' points came from and how long that took (for `Server-Timing`). */
/** What a downsampled view asks for: buckets at most, and positions (FORMAT.md). */
export interface DownsampleRange {
  readonly pointCount: number;
  readonly first: number | undefined;
  readonly last: number | undefined;
}

export interface SeriesTrace {
  /** Already in memory, brought up to date with rows written since, decoded from a file's pages, read through SQLite, or streamed through the buckets piece by piece (not held), or answered from its stored overview. */
  source?: "memory" | "new rows" | "pages" | "sqlite" | "streamed" | "overview";
  ms?: number;
}

/** Thrown (or rejected with) by per-run methods when the run does not exist: a 404. */
export class RunNotFoundError extends Error {
  readonly project: string;
  readonly runId: string;

  constructor(project: string, runId: string) {
    super(`Run not found: ${project}/${runId}`);
    this.name = "RunNotFoundError";
    this.project = project;
    this.runId = runId;
  }
}

/**
 * Whether the process writing a `running` run is still at it: `live`, `dead` (with
 * its last sign of life, when one is dated), or `unknown` (the run is not `running`,
 * or nothing tells). `reason` says what the verdict rests on, in words.
 */
export interface WriterLiveness {
  readonly state: "live" | "dead" | "unknown";
  readonly reason: string;
  /** The run's status as recorded now. */
  readonly status: string;
  /** Unix ms of the writer's last sign of life (heartbeat, write), when known. */
  readonly lastSignMs?: number | undefined;
}

export interface ReadStore {
  /** Every project that has runs, the one with the newest change first. */
  projects(): Promise<Versioned<readonly ProjectSummary[]>>;

  /**
   * The runs of one project (every run when `project` is undefined), newest
   * `created_at` first (a missing one last), trashed runs included. Unreadable runs
   * are left out.
   */
  runs(project: string | undefined): Promise<Versioned<readonly RunSummary[]>>;

  /** The run `runId` of `project`, or undefined when there is none (or the names are invalid). */
  run(project: string, runId: string): Promise<RunHandle | undefined>;

  /** Whether the run's writer is alive (see {@link WriterLiveness}). */
  liveness(run: RunHandle): Promise<WriterLiveness>;

  /** A run's configs in the order they were first written. */
  configs(run: RunHandle): Promise<ReadonlyMap<string, StoredConfigValue>>;

  /** Paths of the run's metric series that have points, in UTF-8 byte order. */
  metricPaths(run: RunHandle): Promise<readonly string[]>;

  /** One metric series in step order; undefined when the run has no such series. */
  metricSeries(
    run: RunHandle,
    path: string,
    trace?: SeriesTrace,
  ): Promise<SeriesColumns | undefined>;

  /**
   * The downsampled view of one metric series (FORMAT.md), written as its JSON text
   * when the store can do that without holding the whole series (it must be the text
   * `downsampledBody` writes from the series); otherwise the series, as
   * {@link metricSeries} returns it. Optional: without it the series is read whole.
   */
  downsampledSeries?(
    run: RunHandle,
    path: string,
    request: DownsampleRange,
    trace?: SeriesTrace,
  ): Promise<string | SeriesColumns | undefined>;

  /**
   * Every metric series with points, by path (UTF-8 byte order), each in step order,
   * in one or more consecutive pieces (a store may cut a long series so that no
   * piece is large).
   */
  allMetrics(
    run: RunHandle,
  ): AsyncIterable<{ readonly path: string; readonly columns: SeriesColumns }>;

  /** A page of string points. */
  stringPage(run: RunHandle, query: StringPageQuery): Promise<StringPage>;

  /**
   * Marks the run trashed or not. Not a change to the run's data: it does not move
   * the run in `projects()` order.
   */
  setTrashed(run: RunHandle, trashed: boolean): Promise<void>;

  /** How full each of the store's caches is (by name), for diagnostics and tests. */
  cacheStats?(): Readonly<Record<string, CacheStats>>;

  /** Releases what the store holds (watchers, connections, Workers). */
  close(): Promise<void>;
}
