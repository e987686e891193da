/**
 * The downsampled series of many runs, as the charts read them: every call made in the
 * same task goes out together, in as few `/api/series/packed` requests as the URL
 * length allows, each series once.
 */

import { answerColumns } from "../api/answer-columns.ts";
import type { SeriesBatchQuery, SeriesColumnsAnswer } from "../api/batch-wire.ts";
import { unpackSeries } from "../api/packed-series.ts";
import { chunked, getBytes, runParam } from "./api-get.ts";

/** One series of a batch: a path of a run, and optionally a range of its points. */
export interface SeriesSource {
  run: { project: string; run_id: string };
  path: string;
  /** The first point index (as `/metrics?firstPointIndex=`). @default 0 */
  first?: number | undefined;
  /** The last point index. @default the last point */
  last?: number | undefined;
}

/** What a series that is not there (its run is gone) is drawn as: no points. */
const noSeries = (): SeriesColumnsAnswer =>
  answerColumns({
    points: [],
    firstPointIndex: 0,
    lastPointIndex: 0,
    totalCount: 0,
    downsampled: false,
  });

/** A call of {@link series} waiting for the requests of its task. */
interface Asked {
  readonly sources: readonly SeriesSource[];
  readonly pointCount: number;
  readonly resolve: (answers: SeriesColumnsAnswer[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Calls of {@link series} made in the task now running, sent together once it ends. */
let asked: Asked[] = [];

/**
 * The downsampled series of many runs (`/api/series/packed`: each as columns of
 * float64, which the server copies and the page reads without parsing text), in the
 * order of `sources`. A run that no longer exists comes back as an empty series.
 *
 * Every call made in the same task (the charts a board lays out draw together) goes
 * into as few requests as the URL length allows, each series with its own chart's
 * `pointCount`: a board of 11 charts of 30 runs is 3 requests, where one per chart
 * queued behind the browser's six connections to a host, each freed only once the
 * page's busy thread had taken its answer (100 ms and more of a first view).
 */
export function series(
  sources: readonly SeriesSource[],
  pointCount: number,
): Promise<SeriesColumnsAnswer[]> {
  return new Promise((resolve, reject) => {
    if (asked.length === 0) queueMicrotask(sendAsked);
    asked.push({ sources, pointCount, resolve, reject });
  });
}

/** One series of a request, and which calls asked for it, as which of their sources. */
interface SeriesItem {
  readonly source: SeriesSource;
  readonly pointCount: number;
  readonly askers: { readonly call: number; readonly index: number }[];
}

/**
 * Sends what the calls of this task asked, each series once however many calls asked
 * for it (a zoom followed by every chart at once); a failed request fails the calls
 * with series in it.
 */
function sendAsked(): void {
  const calls = asked;
  asked = [];
  const unique = new Map<string, SeriesItem>();
  for (const [callIndex, call] of calls.entries())
    for (const [index, source] of call.sources.entries()) {
      const key = JSON.stringify([
        source.run.project,
        source.run.run_id,
        source.path,
        source.first,
        source.last,
        call.pointCount,
      ]);
      let item = unique.get(key);
      if (!item) {
        item = { source, pointCount: call.pointCount, askers: [] };
        unique.set(key, item);
      }
      item.askers.push({ call: callIndex, index });
    }
  const answers = calls.map((call) => new Array<SeriesColumnsAnswer>(call.sources.length));
  /** The first failed request of each call that had series in it. */
  const failures = new Map<number, unknown>();
  const chunks = chunked(
    [...unique.values()],
    (item) =>
      encodeURIComponent(runParam(item.source.run)).length +
      encodeURIComponent(item.source.path).length +
      String(item.pointCount).length +
      24,
  );
  const requests = chunks.map((chunk) =>
    seriesRequest(chunk).then(
      (entries) =>
        chunk.forEach((item, at) => {
          for (const { call, index } of item.askers)
            (answers[call] as SeriesColumnsAnswer[])[index] = entries[at] as SeriesColumnsAnswer;
        }),
      (error: unknown) => {
        for (const item of chunk)
          for (const { call } of item.askers) if (!failures.has(call)) failures.set(call, error);
      },
    ),
  );
  // Every call is answered once all the requests are in: the charts of a board then
  // draw in one frame, where each answer drew some of them in a frame of its own (each
  // frame paints and composites the page again: 100-200 ms of a first view's CPU).
  void Promise.all(requests).then(() =>
    calls.forEach((call, index) => {
      if (failures.has(index)) call.reject(failures.get(index));
      else call.resolve(answers[index] as SeriesColumnsAnswer[]);
    }),
  );
}

/** A value given once for every item when all share it, else once per item. */
function onceOrEach<T>(values: readonly T[]): readonly T[] {
  return new Set(values).size === 1 ? values.slice(0, 1) : values;
}

/** One `/api/series/packed` request for `items`, its entries in their order. */
async function seriesRequest(items: readonly SeriesItem[]): Promise<SeriesColumnsAnswer[]> {
  const sources = items.map((item) => item.source);
  const query: SeriesBatchQuery = {
    run: sources.map((source) => runParam(source.run)),
    // One path for all when they share it (a metric chart), else one per run (System).
    path: onceOrEach(sources.map((source) => source.path)),
    pointCount: onceOrEach(items.map((item) => item.pointCount)),
    // Ranges pair with runs by position; a source without one asks for all its points.
    firstPointIndex: sources.some((source) => source.first !== undefined)
      ? sources.map((source) => source.first ?? 0)
      : undefined,
    lastPointIndex: sources.some((source) => source.last !== undefined)
      ? sources.map((source) => source.last ?? Number.MAX_SAFE_INTEGER)
      : undefined,
  };
  // The route table types the answer as the page has it once unpacked.
  const entries = unpackSeries(await getBytes("/api/series/packed", query));
  return entries.map((entry): SeriesColumnsAnswer => ("error" in entry ? noSeries() : entry));
}
