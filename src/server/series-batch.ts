/**
 * `/api/series`: the downsampled series of many runs (and paths) in one answer, so
 * that a chart of 30 runs is one request instead of 30 (a browser holds six
 * connections per host). Each entry is built by the same store calls and the same
 * body builder as `/api/runs/:project/:run/metrics?path=…&pointCount=…`, so its
 * figures are exactly that route's.
 */

import type { Static } from "@sinclair/typebox";
import type { SeriesBatchResponse, SeriesColumnsResponse } from "../api/batch-wire.ts";
import { type PackedEntry, packSeries } from "../api/packed-series.ts";
import type { ReadStore, RunHandle, SeriesColumns, SeriesTrace } from "../api/read-store.ts";
import type { JsonText } from "../api/wire.ts";
import { type DownsampleRequest, downsampledBody } from "./bodies.ts";
import { type ColumnsMemo, columnsOfAnswer } from "./columnar-series.ts";
import { HttpError, runNotFound } from "./http-error.ts";
import { packedOfAnswer } from "./packed-columns.ts";
import type { SeriesQuery } from "./query-schemas.ts";

/**
 * Series one request may ask for: enough for any chart's sources (30 runs × a few
 * processes), small enough that one request cannot hold the server for long.
 * @default 2000
 */
export const MAX_BATCH_SERIES = 2000;

export interface BatchItem {
  readonly project: string;
  readonly runId: string;
  readonly path: string;
  readonly first: number | undefined;
  readonly last: number | undefined;
  /** Points the series is downsampled to. */
  readonly pointCount: number;
}

const INTEGER = /^[+-]?[0-9]+$/;

/**
 * The query of `/api/series` from every value of every name (`parseQueryAll`), with
 * a message a person can act on for what is missing or malformed (the schema then
 * only confirms the shape).
 */
export function seriesQuery(all: ReadonlyMap<string, string[]>): Static<typeof SeriesQuery> {
  const run = all.get("run");
  const path = all.get("path");
  const pointCount = all.get("pointCount");
  if (!run) throw new HttpError(400, "run is required: one run=project/runId per series");
  if (!path) throw new HttpError(400, "path is required");
  if (!pointCount?.every((value) => INTEGER.test(value)))
    throw new HttpError(400, "pointCount is required: an integer, once or once per run");
  const query: Static<typeof SeriesQuery> = { run, path, pointCount };
  for (const name of ["firstPointIndex", "lastPointIndex"] as const) {
    const values = all.get(name);
    if (values === undefined) continue;
    if (!values.every((value) => INTEGER.test(value)))
      throw new HttpError(400, "firstPointIndex and lastPointIndex must be integers");
    query[name] = values;
  }
  return query;
}

/** A parameter given once for all series or once per series: the value for series `i`. */
function paired<T>(values: readonly T[] | undefined, count: number, name: string) {
  if (values === undefined) return () => undefined;
  if (values.length !== 1 && values.length !== count)
    throw new HttpError(400, `${name} must be given once, or once per run (${count})`);
  return (i: number): T | undefined => values[values.length === 1 ? 0 : i];
}

/** The series a checked query asks for, in its order. */
export function batchItems(query: Static<typeof SeriesQuery>): BatchItem[] {
  const count = query.run.length;
  if (count > MAX_BATCH_SERIES)
    throw new HttpError(400, `At most ${MAX_BATCH_SERIES} series per request`);
  if (query.pointCount.some((value) => Number(value) < 1))
    throw new HttpError(400, "pointCount must be a positive integer");
  const pointCount = paired(query.pointCount, count, "pointCount");
  const path = paired(query.path, count, "path");
  const first = paired(query.firstPointIndex, count, "firstPointIndex");
  const last = paired(query.lastPointIndex, count, "lastPointIndex");
  return query.run.map((key, i): BatchItem => {
    const slash = key.lastIndexOf("/");
    if (slash <= 0 || slash === key.length - 1)
      throw new HttpError(400, `run must be project/runId, not ${JSON.stringify(key)}`);
    const seriesPath = path(i) as string;
    if (seriesPath === "") throw new HttpError(400, "path must not be empty");
    const firstText = first(i);
    const lastText = last(i);
    return {
      project: key.slice(0, slash),
      runId: key.slice(slash + 1),
      path: seriesPath,
      first: firstText === undefined ? undefined : Number(firstText),
      last: lastText === undefined ? undefined : Number(lastText),
      pointCount: Number(pointCount(i)),
    };
  });
}

/** One item's series as its store gave it: written text, or columns (undefined: the run has no such series). */
type ItemSeries = { readonly answer: string | SeriesColumns | undefined; readonly version: string };

/**
 * Reads every item's series and makes its entry with `entry` as soon as it is in (so
 * that the entries of runs read first are written while later runs are still being
 * read): every run looked up once, every series read through the store (a store that
 * writes views itself, from an overview or streamed, answers as downsampledBody
 * would); a missing run is `undefined`. `trace` sums the reads' time.
 */
async function entriesOf<T>(
  store: ReadStore,
  items: readonly BatchItem[],
  trace: { ms: number },
  entry: (item: BatchItem, series: ItemSeries | undefined) => T,
): Promise<T[]> {
  const handles = new Map<string, Promise<RunHandle | undefined>>();
  const handleOf = (item: BatchItem) => {
    const key = `${item.project}\u0000${item.runId}`;
    let handle = handles.get(key);
    if (!handle) {
      handle = store.run(item.project, item.runId);
      handles.set(key, handle);
    }
    return handle;
  };
  return Promise.all(
    items.map(async (item) => {
      const run = await handleOf(item);
      if (!run) return entry(item, undefined);
      const read: SeriesTrace = {};
      const answer = store.downsampledSeries
        ? await store.downsampledSeries(run, item.path, requestOf(item), read)
        : await store.metricSeries(run, item.path, read);
      trace.ms += read.ms ?? 0;
      return entry(item, { answer, version: run.version });
    }),
  );
}

const requestOf = (item: BatchItem): DownsampleRequest => ({
  path: item.path,
  pointCount: item.pointCount,
  first: item.first,
  last: item.last,
});

const keyOf = (item: BatchItem) => ({ project: item.project, run_id: item.runId, path: item.path });

const missing = (item: BatchItem) =>
  `"error": ${JSON.stringify(runNotFound(item.project, item.runId).message)}`;

/**
 * The answer: each item's series written by {@link downsampledBody}. A run that does
 * not exist is an entry with the per-run route's 404 message, not a failed request.
 * `trace` sums the reads' time.
 */
export async function seriesBatchBody(
  store: ReadStore,
  items: readonly BatchItem[],
  trace: { ms: number },
): Promise<JsonText<SeriesBatchResponse>>;
/** As columns (`/api/series/columns`, columnar-series.ts), views written before kept in `columns`. */
export async function seriesBatchBody(
  store: ReadStore,
  items: readonly BatchItem[],
  trace: { ms: number },
  columns: ColumnsMemo,
): Promise<JsonText<SeriesColumnsResponse>>;
export async function seriesBatchBody(
  store: ReadStore,
  items: readonly BatchItem[],
  trace: { ms: number },
  columns?: ColumnsMemo,
): Promise<string> {
  const entries = await entriesOf(store, items, trace, (item, series) => {
    const head = `{"project": ${JSON.stringify(item.project)}, "run_id": ${JSON.stringify(item.runId)}, "path": ${JSON.stringify(item.path)}, `;
    if (!series) return `${head}${missing(item)}}`;
    const { answer, version } = series;
    const request = requestOf(item);
    if (columns)
      return `${head}${typeof answer === "string" ? columnsOfAnswer(answer) : columns.answer(answer, request, version)}}`;
    const body = typeof answer === "string" ? answer : downsampledBody(answer, request);
    // The per-run body, with which series it is in front: `{"points": …}`.
    return `${head}${body.slice(1)}`;
  });
  return `{"series": [${entries.join(", ")}]}`;
}

/** The columns answer packed (`/api/series/packed`, packed-series.ts), views made before kept in `columns`. */
export async function seriesBatchPacked(
  store: ReadStore,
  items: readonly BatchItem[],
  trace: { ms: number },
  columns: ColumnsMemo,
): Promise<Uint8Array> {
  return packSeries(
    await entriesOf(store, items, trace, (item, series): PackedEntry => {
      if (!series) return { key: keyOf(item), members: missing(item) };
      const { answer, version } = series;
      const view =
        typeof answer === "string"
          ? packedOfAnswer(answer)
          : columns.packed(answer, requestOf(item), version);
      return { key: keyOf(item), ...view };
    }),
  );
}
