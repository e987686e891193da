/**
 * Every metric series of a settled run file (no WAL content: every reader sees the same
 * bytes), decoded from the pages of `metric_points` (metric-pages.ts) and checked
 * against SQLite's own row count. Pure of threads: the caller's thread or the series
 * loader Worker runs it.
 */

import type { Database } from "bun:sqlite";
import { decodeTable } from "./metric-pages.ts";
import type { SeriesColumns } from "./series-loader-protocol.ts";
import { PageFormatError } from "./sqlite-btree.ts";

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
 * The rows of each series of metric_series in metric_points as SQLite counts them:
 * through the (series_id, step) index where there is one, a b-tree apart from the
 * table's, so that rows the page reader missed or read twice in a damaged table show
 * as a difference (rows of a series not counted here are refused by the reader). One
 * range count per series (7 ms for 30 run files; a GROUP BY over the index took 10, and
 * 38 ms for a million rows); a run of one series counts the whole table, which SQLite
 * does page by page (13-28 ms for a million rows, against 28 by range). Undefined when
 * SQLite cannot count them either.
 */
function sqliteCounts(db: Database): Map<number, number> | undefined {
  try {
    const ids = db
      .query<{ id: number }, []>("SELECT id FROM metric_series")
      .all()
      .map((row) => row.id);
    if (ids.length === 1) {
      const total = db.query<{ n: number }, []>("SELECT count(*) AS n FROM metric_points").get();
      return new Map([[ids[0] as number, total?.n ?? 0]]);
    }
    const count = db.query<{ n: number }, [number]>(
      "SELECT count(*) AS n FROM metric_points WHERE series_id = ?",
    );
    return new Map(ids.map((id) => [id, count.get(id)?.n ?? 0]));
  } catch {
    return undefined;
  }
}

/**
 * Every series of the file `db` is open on, in step order, columns exactly as long as
 * their points; undefined when the table or its pages are not as expected (then the
 * caller reads through SQLite). The caller checks that the file's version did not
 * change meanwhile.
 */
export function decodeSettledTable(
  db: Database,
  file: string,
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
  const counts = sqliteCounts(db);
  if (!counts) return undefined;
  try {
    const series = decodeTable(file, root, counts);
    return new Map([...series].map(([id, columns]) => [id, inStepOrder(columns)]));
  } catch (error) {
    // A damaged page can also send a read past the end of the buffer.
    if (error instanceof PageFormatError || error instanceof RangeError) return undefined;
    throw error;
  }
}
