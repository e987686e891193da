/**
 * Reads the points of metric series into columns. Reading rows out of SQLite is the
 * cost of a first look at a million-point series. A long series is read through
 * SQLite in two step ranges at once, one of them on a loader Worker; for settled
 * files (no WAL content: every reader sees the same bytes) decoding the whole
 * `metric_points` table from its pages (metric-pages.ts) is faster still, and
 * yields every series of the file at once.
 */

import type { Database } from "bun:sqlite";
import { type FileVersion, fileVersion } from "../storage/connection-pool.ts";
import { RequestWorker } from "../workers/request-worker.ts";
import { readRange } from "./range-read.ts";
import type {
  LoadReply,
  LoadRequest,
  RangeRequest,
  SeriesColumns,
} from "./series-loader-protocol.ts";
import { decodeSettledTable } from "./settled-table.ts";

/** Series shorter than this are read through SQLite on the calling thread alone. */
const PARALLEL_FROM = 200_000;

const loader = new RequestWorker<LoadRequest, LoadReply>(
  new URL("./series-loader-worker.ts", import.meta.url).href,
  "series loader",
);

/** Reads a step range of a file on the loader Worker. */
async function readRangeOnWorker(request: Omit<RangeRequest, "id">): Promise<SeriesColumns> {
  const { range } = await loader.request(request);
  if (!range) throw new Error("the series loader sent no points");
  return range;
}

function concat(a: SeriesColumns, b: SeriesColumns): SeriesColumns {
  const length = a.length + b.length;
  const join = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { steps: join(a.steps, b.steps), ys: join(a.ys, b.ys), ts: join(a.ts, b.ts), length };
}

/**
 * Every metric series of a settled file, decoded from the pages of `metric_points`;
 * undefined when the pages are not as expected or the file changed meanwhile (then
 * the caller reads through SQLite). One thread: on two cores, splitting the pages
 * with the loader Worker was measured no faster.
 */
export function loadAllFromPages(
  db: Database,
  file: string,
  version: FileVersion,
): Map<number, SeriesColumns> | undefined {
  const all = decodeSettledTable(db, file);
  return all && fileVersion(file)?.key === version.key ? all : undefined;
}

/**
 * The same, decoded on the loader Worker (on its own connection), so that this
 * thread keeps answering meanwhile: "refused" when the pages or the file are not as
 * expected, undefined when the Worker could not do it.
 */
export async function loadAllOnWorker(
  file: string,
  version: FileVersion,
): Promise<Map<number, SeriesColumns> | "refused" | undefined> {
  let reply: LoadReply;
  try {
    reply = await loader.request({ file, table: true });
  } catch {
    return undefined;
  }
  if (!reply.table || fileVersion(file)?.key !== version.key) return "refused";
  const { ids, columns } = reply.table;
  return new Map(ids.map((id, i) => [id, columns[i] as SeriesColumns]));
}

/**
 * One whole series, in step order. A long series is split at its middle step and
 * read on two threads. The halves of a `live` file (one with WAL content) may come
 * from different snapshots: the caller notes the largest rowid before this read and
 * merges every row written from there on afterwards.
 */
export async function loadSeries(
  db: Database,
  file: string,
  seriesId: number,
  live: boolean,
): Promise<SeriesColumns> {
  const bounds = db
    .query<{ n: number; lo: number | null; hi: number | null }, [number, number, number, number]>(
      "SELECT (SELECT count(*) FROM (SELECT 1 FROM metric_points WHERE series_id = ? LIMIT ?)) AS n, (SELECT min(step) FROM metric_points WHERE series_id = ?) AS lo, (SELECT max(step) FROM metric_points WHERE series_id = ?) AS hi",
    )
    .get(seriesId, PARALLEL_FROM, seriesId, seriesId);
  if (
    bounds &&
    bounds.n >= PARALLEL_FROM &&
    bounds.lo !== null &&
    bounds.hi !== null &&
    bounds.hi > bounds.lo
  ) {
    const middle = bounds.lo + (bounds.hi - bounds.lo) / 2;
    // Should the Worker fail (a file it may not open), this thread reads its half too.
    const upper = readRangeOnWorker({ file, seriesId, low: middle, high: null, live }).catch(
      () => undefined,
    );
    const lower = readRange(db, seriesId, null, middle);
    return concat(lower, (await upper) ?? readRange(db, seriesId, middle, null));
  }
  return readRange(db, seriesId, null, null);
}
