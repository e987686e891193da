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
import { decodeTable } from "./metric-pages.ts";
import { readRange } from "./range-read.ts";
import type { LoadReply, LoadRequest, SeriesColumns } from "./series-loader-protocol.ts";
import { PageFormatError } from "./sqlite-btree.ts";

/** Series shorter than this are read through SQLite on the calling thread alone. */
const PARALLEL_FROM = 200_000;

const loader = new RequestWorker<LoadRequest, LoadReply>(
  new URL("./series-loader-worker.ts", import.meta.url).href,
  "series loader",
);

/** Reads a step range of a file on the loader Worker. */
async function readRangeOnWorker(request: Omit<LoadRequest, "id">): Promise<SeriesColumns> {
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

/** `series` with columns no longer than twice its points. */
function trimmed(series: SeriesColumns): SeriesColumns {
  if (series.steps.length <= 2 * series.length + 1024) return series;
  const { length } = series;
  return {
    steps: series.steps.slice(0, length),
    ys: series.ys.slice(0, length),
    ts: series.ts.slice(0, length),
    length,
  };
}

/**
 * `series` in step order. Rows come in rowid order, which is step order unless a
 * script logged steps out of order.
 */
function inStepOrder(series: SeriesColumns): SeriesColumns {
  const { steps, length } = series;
  let sorted = true;
  for (let i = 1; i < length && sorted; i++)
    sorted = (steps[i - 1] as number) < (steps[i] as number);
  if (sorted) return series;
  const order = Array.from({ length }, (_, i) => i).sort(
    (a, b) => (steps[a] as number) - (steps[b] as number),
  );
  const pick = (column: Float64Array) => Float64Array.from(order, (i) => column[i] as number);
  return { steps: pick(steps), ys: pick(series.ys), ts: pick(series.ts), length };
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
  expected: { readonly seriesId: number; readonly points: number },
): Map<number, SeriesColumns> | undefined {
  const columns = db
    .query<{ name: string }, []>("SELECT name FROM pragma_table_info('metric_points') ORDER BY cid")
    .values()
    .slice(0, 4)
    .map((row) => row[0]);
  const root = db
    .query<{ rootpage: number }, []>(
      "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'metric_points'",
    )
    .get()?.rootpage;
  if (columns.join(",") !== "series_id,step,y,ts" || !root) return undefined;
  try {
    const { series, rows } = decodeTable(file, root, expected);
    if (fileVersion(file)?.key !== version.key || rows !== sqliteRowCount(db)) return undefined;
    return new Map([...series].map(([id, columns]) => [id, inStepOrder(trimmed(columns))]));
  } catch (error) {
    // A damaged page can also send a read past the end of the buffer.
    if (error instanceof PageFormatError || error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * The rows of metric_points as SQLite counts them: through the (series_id, step)
 * index where there is one, a b-tree apart from the table's, so that rows the page
 * reader missed or read twice in a damaged table show as a difference (about 25 ms
 * for a million rows). Undefined when SQLite cannot count them either.
 */
function sqliteRowCount(db: Database): number | undefined {
  try {
    return db.query<{ n: number }, []>("SELECT count(*) AS n FROM metric_points").get()?.n;
  } catch {
    return undefined;
  }
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
