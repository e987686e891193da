/**
 * What the chart modules need of a run and of a series answer, taken from the wire
 * types the server and the page share: these pure modules stay free of the page's API
 * client (so they are tested and timed alone).
 */

import type { DownsampledResponse, RunSummary } from "../api/wire.ts";

export type ChartRun = Pick<
  RunSummary,
  "project" | "run_id" | "experiment_name" | "created_at" | "status" | "metric_paths"
>;

/** One answer of `GET …/metrics?pointCount=` (FORMAT.md): non-finite values as strings. */
export type SeriesAnswer = DownsampledResponse;
