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
const keys = new WeakMap<object, string>();

/**
 * A run's key in the URL: project and run id. Kept per summary object (a summary's
 * project and id never change): the table looks runs up by key thousands of times as
 * a person types in the search box.
 */
export function runKey(run: { readonly project: string; readonly run_id: string }): string {
  let key = keys.get(run);
  if (key === undefined) {
    key = `${run.project}:${run.run_id}`;
    keys.set(run, key);
  }
  return key;
}
