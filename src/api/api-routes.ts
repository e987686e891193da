/**
 * The route table of the JSON API, shared by the server and the page: each route's
 * method, query and answer (`wire.ts`, `batch-wire.ts`). Types only.
 */

import type {
  ConfigsBatchQuery,
  ConfigsBatchResponse,
  LivenessQuery,
  LivenessResponse,
  SeriesBatchQuery,
  SeriesBatchResponse,
  SeriesColumnsResponse,
} from "./batch-wire.ts";
import type {
  ConfigsResponse,
  DownsampledResponse,
  MetricPathsResponse,
  MetricsQuery,
  OkResponse,
  ProjectsResponse,
  RawMetricsResponse,
  RunsResponse,
  StringSeriesQuery,
  StringSeriesResponse,
} from "./wire.ts";

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
  /** The answer of `/api/series/columns` packed as float64 (packed-series.ts), unpacked. */
  "/api/series/packed": {
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
