/**
 * The JSON that the local read API answers (FORMAT.md §11), as TypeScript types shared
 * by the server, which builds these bodies, and the web UI, which reads them. No DOM
 * and no runtime code: importing this module costs the page nothing.
 *
 * `ApiRoutes` (api-routes.ts) is the route table both sides are checked against: the
 * server's query schemas must have exactly its names and its body builders return text
 * branded with these types; the UI's client takes its paths, queries and answers from
 * there. Change a route and whichever side disagrees fails to type-check.
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
 * A JSON body as text, branded with the type it parses to, so that a body builder's
 * signature says which answer it writes (the server writes JSON text directly: it is
 * the fastest way to write a million points).
 */
export type JsonText<T> = string & { readonly __json?: T };
