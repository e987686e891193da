/**
 * The JSON of the routes of our own that answer many runs (or series) at once, which
 * the web UI uses: `/api/series`, `/api/series/columns` (and, packed as float64,
 * `/api/series/packed`: packed-series.ts), `/api/configs`,
 * `/api/liveness`. Types only, as `wire.ts`.
 */

import type { ConfigsResponse, DownsampledResponse, WireNumber } from "./wire.ts";

/**
 * `/api/series`: the downsampled series of many runs in one answer, each exactly what
 * `/api/runs/:project/:run/metrics?path=…&pointCount=…` answers for it. Parameters
 * repeat (`run=a/r1&run=a/r2`): `run` is `<project>/<runId>` (split at the last `/`,
 * as a run id has none); `path`, `pointCount`, `firstPointIndex` and `lastPointIndex`
 * are given once for every series or once per `run`, paired by position.
 */
export interface SeriesBatchQuery {
  readonly run: readonly string[];
  readonly path: readonly string[];
  readonly pointCount: number | readonly number[];
  readonly firstPointIndex?: readonly number[] | undefined;
  readonly lastPointIndex?: readonly number[] | undefined;
}

/** Which series an entry of a batch answer is. */
export interface SeriesKey {
  readonly project: string;
  readonly run_id: string;
  readonly path: string;
}

/** A run that does not exist: the per-run route's 404 message, for this entry alone. */
export interface MissingRunEntry extends SeriesKey {
  readonly error: string;
}

export type SeriesBatchEntry = (SeriesKey & DownsampledResponse) | MissingRunEntry;

/** The entries in the order of the query's `run` parameters. */
export interface SeriesBatchResponse {
  readonly series: SeriesBatchEntry[];
}

/**
 * One series of `/api/series/columns`: the figures of a `/metrics` answer (FORMAT.md
 * §11) as columns, point `i` being `step[i]`, `value[i]`, … Points `bucketed[0]` up to
 * (not including) `bucketed[1]` are buckets of a downsampled answer; any before them
 * is the raw point at `firstPointIndex`, any after them the one at `lastPointIndex`.
 * `loggedAt` is when each point was logged (a bucket: its middle point), in seconds
 * since 1970.
 */
export interface SeriesColumnsAnswer {
  readonly firstPointIndex: number;
  readonly lastPointIndex: number;
  readonly totalCount: number;
  readonly downsampled: boolean;
  readonly bucketed: readonly [number, number];
  readonly step: number[];
  readonly value: WireNumber[];
  readonly minY: WireNumber[];
  readonly maxY: WireNumber[];
  readonly loggedAt: number[];
  /**
   * The NaN and ±Infinity points a downsampled view's buckets leave out of their
   * figures (FORMAT.md §11), so that a chart can mark them: at most
   * {@link MAX_NON_FINITE}, in step order. `/api/series/packed` alone sends them.
   */
  readonly nonFinite?: NonFinitePoints;
}

/** Points of a series whose value is NaN or ±Infinity. */
export interface NonFinitePoints {
  readonly step: number[];
  readonly value: number[];
  readonly loggedAt: number[];
}

/** The most non-finite points one view of a series carries. */
export const MAX_NON_FINITE = 1000;

export type SeriesColumnsEntry = (SeriesKey & SeriesColumnsAnswer) | MissingRunEntry;

/** `/api/series/columns`: as `/api/series`, each entry in columns. */
export interface SeriesColumnsResponse {
  readonly series: SeriesColumnsEntry[];
}

/**
 * `/api/configs`: the configs of many runs in one answer, each exactly what
 * `/api/runs/:project/:run/configs` answers for it. `run` repeats
 * (`run=a/r1&run=a/r2`), each `<project>/<runId>` (split at the last `/`).
 */
export interface ConfigsBatchQuery {
  readonly run: readonly string[];
}

/** Which run an entry of a per-run batch answer is. */
export interface RunKey {
  readonly project: string;
  readonly run_id: string;
}

/** A run that does not exist: the per-run route's 404 message, for this entry alone. */
export interface MissingConfigsEntry extends RunKey {
  readonly error: string;
}

export type ConfigsBatchEntry = (RunKey & ConfigsResponse) | MissingConfigsEntry;

/** The entries in the order of the query's `run` parameters. */
export interface ConfigsBatchResponse {
  readonly runs: ConfigsBatchEntry[];
}

/**
 * `/api/liveness`: whether the writer of each asked run is still at it. `run`
 * repeats, each `<project>/<runId>` (split at the last `/`). The local API's `status`
 * stays what the Python server answers (`running` for a run whose process died);
 * this says which of those runs have a live writer.
 */
export interface LivenessQuery {
  readonly run: readonly string[];
}

export interface RunLivenessEntry extends RunKey {
  /** `unknown` where the run is not `running` (see `status`) or nothing tells. */
  readonly state: "live" | "dead" | "unknown";
  /** The run's status as recorded now. */
  readonly status: string;
  /** What the verdict rests on, in words. */
  readonly reason: string;
  /** ISO 8601 UTC: the writer's last sign of life (heartbeat, write); null when none is dated. */
  readonly last_seen: string | null;
}

export type LivenessEntry = RunLivenessEntry | (RunKey & { readonly error: string });

/** The entries in the order of the query's `run` parameters. */
export interface LivenessResponse {
  readonly runs: LivenessEntry[];
}
