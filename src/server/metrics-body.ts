/**
 * The body of `/api/runs/:project/:run/metrics`: every metric, one series raw, or one
 * series downsampled to `pointCount` buckets, by which parameters the query holds.
 */

import type { Static } from "@sinclair/typebox";
import type { ReadStore, RunHandle, SeriesTrace } from "../api/read-store.ts";
import { type BucketMemo, downsampledAnswer, rawMetricsStream, rawSeriesStream } from "./bodies.ts";
import { HttpError } from "./http-error.ts";
import { type MetricsQuery, toInteger } from "./query-schemas.ts";
import type { Body } from "./replies.ts";

/** Writes the answer to `q` for `run`; `trace` learns where the series came from. */
export async function metricsBody(
  store: ReadStore,
  run: RunHandle,
  q: Static<typeof MetricsQuery>,
  trace: SeriesTrace,
  buckets: BucketMemo | undefined,
): Promise<Body> {
  if (q.pointCount === undefined)
    return q.path === undefined
      ? await rawMetricsStream(store.allMetrics(run))
      : await rawSeriesStream(q.path, await store.metricSeries(run, q.path, trace));
  const path = q.path as string;
  const pointCount = toInteger(q.pointCount) as number;
  if (pointCount < 1) throw new HttpError(400, "pointCount must be a positive integer");
  const request = {
    path,
    pointCount,
    first: toInteger(q.firstPointIndex),
    last: toInteger(q.lastPointIndex),
  };
  const answer = store.downsampledSeries
    ? await store.downsampledSeries(run, path, request, trace)
    : await store.metricSeries(run, path, trace);
  // A store that wrote the answer itself wrote what downsampledBody would.
  if (typeof answer === "string") return answer;
  return downsampledAnswer(answer, request, buckets);
}
