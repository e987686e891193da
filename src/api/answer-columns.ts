/**
 * A downsampled answer in FORMAT.md's point objects (`/metrics`, `/api/series`) as the
 * columns of `/api/series/columns`: for the server, whose stores may write a view as
 * text, and for the page, which reads a `/metrics` answer for its CSV export. Pure.
 */

import type { SeriesColumnsAnswer } from "./batch-wire.ts";
import type { DownsampledResponse } from "./wire.ts";

export function answerColumns(answer: DownsampledResponse): SeriesColumnsAnswer {
  const { points } = answer;
  // The buckets are consecutive, between a raw first point and a raw last one.
  let from = 0;
  while (from < points.length && !points[from]?.downsampled) from++;
  let to = from;
  while (to < points.length && points[to]?.downsampled) to++;
  if (to === from) from = to = 0;
  return {
    firstPointIndex: answer.firstPointIndex,
    lastPointIndex: answer.lastPointIndex,
    totalCount: answer.totalCount,
    downsampled: answer.downsampled,
    bucketed: [from, to],
    step: points.map((point) => point.step),
    value: points.map((point) => point.value),
    minY: points.map((point) => point.minY ?? point.value),
    maxY: points.map((point) => point.maxY ?? point.value),
    loggedAt: points.map((point) => Date.parse(point.logged_at) / 1000),
  };
}
