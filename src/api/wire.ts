/**
 * The JSON that the local read API answers (FORMAT.md §11), as TypeScript types shared
 * by the server, which builds these bodies, and the web UI, which reads them. No DOM
 * and no runtime code: importing this module costs the page nothing.
 *
 * {@link ApiRoutes} is the route table both sides are checked against: the server's
 * query schemas must have exactly these names and its body builders return text
 * branded with these types; the UI's client takes its paths, queries and answers
 * from here. Change a route here and whichever side disagrees fails to type-check.
 */

/** A number as the API writes it: non-finite values travel as these strings. */
export type WireNumber = number | "NaN" | "Infinity" | "-Infinity";

export interface ProjectSummary {
  /** The project's path under the served directory (`"."` for its own `runs/`). */
  readonly name: string;
  readonly run_count: number;
  /** ISO 8601 with microseconds and `+00:00`: the newest run file's mtime. */
  readonly last_modified: string;
}

export interface RunSummary {
  readonly project: string;
  readonly run_id: string;
  readonly experiment_name: string | null;
  readonly created_at: string | null;
  readonly closed_at: string | null;
  readonly status: string;
  readonly trashed: boolean;
  readonly string_series_paths: string[];
  readonly metric_paths: string[];
}

/**
 * A config value as the API answers it: integers exact at any size (a JSON parser
 * reads those beyond 2^53 as approximate numbers), a string set as an array.
 */
export type ConfigValue = null | boolean | number | string | string[];

export interface MetricPoint {
  readonly path: string;
  readonly step: number;
  readonly value: WireNumber;
  readonly logged_at: string;
}

export interface DownsampledPoint extends MetricPoint {
  readonly minY: WireNumber;
  readonly maxY: WireNumber;
  readonly downsampled: boolean;
}

export interface StringEntry {
  readonly path: string;
  readonly step: number;
  readonly value: string;
  readonly logged_at: string;
}

export interface ProjectsResponse {
  readonly projects: ProjectSummary[];
}

export interface RunsResponse {
  readonly runs: RunSummary[];
}

export interface ConfigsResponse {
  readonly configs: Record<string, ConfigValue>;
}

export interface MetricPathsResponse {
  readonly paths: string[];
}

/** `/metrics` without `pointCount`: every point of one series (or of all). */
export interface RawMetricsResponse {
  readonly metrics: MetricPoint[];
}

/** `/metrics` with `pointCount`: one series bucketed to about that many points. */
export interface DownsampledResponse {
  readonly points: DownsampledPoint[];
  readonly firstPointIndex: number;
  readonly lastPointIndex: number;
  readonly totalCount: number;
  readonly downsampled: boolean;
}

export interface StringSeriesResponse {
  readonly string_series: StringEntry[];
  readonly total: number;
}

export interface OkResponse {
  readonly ok: true;
}

/** Every error answer (400, 403, 404, 405, 500). */
export interface ErrorResponse {
  readonly error: string;
}

export interface MetricsQuery {
  readonly path?: string | undefined;
  readonly pointCount?: number | undefined;
  readonly firstPointIndex?: number | undefined;
  readonly lastPointIndex?: number | undefined;
}

/** Which string points to read (FORMAT.md §11): `tail` wins over `limit`/`offset`. */
export interface StringSeriesQuery {
  /** One series, or every string series (ordered by path, then step) when absent. */
  readonly path?: string | undefined;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
  /** The last `tail` points, in step order. */
  readonly tail?: number | undefined;
}

/**
 * `/api/series`: the downsampled series of many runs in one answer, each exactly what
 * `/api/runs/:project/:run/metrics?path=…&pointCount=…` answers for it. Parameters
 * repeat (`run=a/r1&run=a/r2`): `run` is `<project>/<runId>` (split at the last `/`,
 * as a run id has none); `path`, `firstPointIndex` and `lastPointIndex` are given
 * once for every series or once per `run`, paired by position.
 */
export interface SeriesBatchQuery {
  readonly run: readonly string[];
  readonly path: readonly string[];
  readonly pointCount: number;
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
}

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

/** A route of the API: its method, what its query may hold, and what it answers. */
export interface RouteShape {
  readonly method: "GET" | "POST";
  readonly query: object;
  readonly response: object;
}

/**
 * The routes. `:project` may contain slashes (each segment is percent-encoded);
 * `:run` is one segment.
 */
export interface ApiRoutes {
  "/api/projects": { method: "GET"; query: Record<never, never>; response: ProjectsResponse };
  "/api/runs": {
    method: "GET";
    query: { readonly project?: string | undefined };
    response: RunsResponse;
  };
  "/api/runs/:project/:run/configs": {
    method: "GET";
    query: Record<never, never>;
    response: ConfigsResponse;
  };
  "/api/runs/:project/:run/metric-paths": {
    method: "GET";
    query: Record<never, never>;
    response: MetricPathsResponse;
  };
  "/api/runs/:project/:run/metrics": {
    method: "GET";
    query: MetricsQuery;
    response: RawMetricsResponse | DownsampledResponse;
  };
  "/api/runs/:project/:run/string_series": {
    method: "GET";
    query: StringSeriesQuery;
    response: StringSeriesResponse;
  };
  "/api/series": {
    method: "GET";
    query: SeriesBatchQuery;
    response: SeriesBatchResponse;
  };
  "/api/series/columns": {
    method: "GET";
    query: SeriesBatchQuery;
    response: SeriesColumnsResponse;
  };
  "/api/configs": {
    method: "GET";
    query: ConfigsBatchQuery;
    response: ConfigsBatchResponse;
  };
  "/api/liveness": {
    method: "GET";
    query: LivenessQuery;
    response: LivenessResponse;
  };
  "/api/runs/:project/:run/trash": {
    method: "POST";
    query: Record<never, never>;
    response: OkResponse;
  };
  "/api/runs/:project/:run/trash/restore": {
    method: "POST";
    query: Record<never, never>;
    response: OkResponse;
  };
}

export type ApiPath = keyof ApiRoutes;

/** What `/metrics` answers for a query: bucketed points when it asks for `pointCount`. */
export type MetricsResponseFor<Q extends MetricsQuery> = Q extends { readonly pointCount: number }
  ? DownsampledResponse
  : RawMetricsResponse;

/**
 * A JSON body as text, branded with the type it parses to, so that a body builder's
 * signature says which answer it writes (the server writes JSON text directly: it is
 * the fastest way to write a million points).
 */
export type JsonText<T> = string & { readonly __json?: T };
