/** One step range of a metric series read through SQLite into columns: what the loader and its Worker both do. */

import type { Database } from "bun:sqlite";
import { readY } from "../storage/run-reader.ts";
import type { SeriesColumns } from "./series-loader-protocol.ts";

/** Reads the points with `low <= step < high` (either bound may be absent) into columns. */
export function readRange(
  db: Database,
  seriesId: number,
  low: number | null,
  high: number | null,
): SeriesColumns {
  const rows = db
    .query<unknown, [number, number, number]>(
      "SELECT step, y, ts FROM metric_points WHERE series_id = ? AND step >= ? AND step < ? ORDER BY step",
    )
    .values(seriesId, low ?? Number.NEGATIVE_INFINITY, high ?? Number.POSITIVE_INFINITY) as [
    number,
    number | string,
    number,
  ][];
  const length = rows.length;
  const steps = new Float64Array(length);
  const ys = new Float64Array(length);
  const ts = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const row = rows[i] as [number, number | string, number];
    steps[i] = row[0];
    ys[i] = readY(row[1]);
    ts[i] = row[2];
  }
  return { steps, ys, ts, length };
}
