/**
 * What the chart modules need of a run and of a series answer, taken from the wire
 * types the server and the page share: these pure modules stay free of the page's API
 * client (so they are tested and timed alone).
 */

import type { SeriesColumnsAnswer } from "../api/batch-wire.ts";
import type { RunSummary } from "../api/wire.ts";

export type ChartRun = Pick<
  RunSummary,
  "project" | "run_id" | "experiment_name" | "created_at" | "status" | "metric_paths"
>;

/**
 * One series of `/api/series/columns`: a `GET …/metrics?pointCount=` answer (FORMAT.md)
 * as columns, non-finite values as strings.
 */
export type SeriesAnswer = SeriesColumnsAnswer;
/** A run's key in the URL: project and run id. */
export function runKey(run: { project: string; run_id: string }): string {
  return `${run.project}:${run.run_id}`;
}
