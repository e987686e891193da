/**
 * One series of `/api/series/packed` (packed-series.ts): a view's columns as the
 * members of its JSON head and its float64 numbers.
 */

import { headMembers, packColumns } from "../api/packed-series.ts";
import type { SeriesColumns } from "../api/read-store.ts";
import type { WireNumber } from "../api/wire.ts";
import { fromWire } from "../api/wire-number.ts";
import type { DownsampleRequest } from "./bodies.ts";
import { answerView, type Columns, columnsView } from "./view-columns.ts";

/** `values[from, to)` as numbers. */
function numeric(values: ArrayLike<number | WireNumber>, from: number, to: number): Float64Array {
  if (values instanceof Float64Array) return values.subarray(from, to);
  const out = new Float64Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = fromWire(values[i]);
  return out;
}

/** One series of a packed answer: its head's members and its numbers. */
export interface Packed {
  readonly members: string;
  readonly numbers: Float64Array;
}

export function packed(columns: Columns): Packed {
  const n = columns.steps.length;
  const [from, to] = columns.bucketed;
  return {
    members: headMembers({
      firstPointIndex: columns.first,
      lastPointIndex: columns.last,
      totalCount: columns.total,
      downsampled: columns.downsampled,
      bucketed: columns.bucketed,
      length: n,
      nonFinite: columns.nonFinite?.step.length,
    }),
    numbers: packColumns({
      steps: columns.steps,
      values: numeric(columns.values, 0, n),
      times: columns.times,
      mins: numeric(columns.mins, from, to),
      maxs: numeric(columns.maxs, from, to),
      nonFinite: columns.nonFinite,
    }),
  };
}

/** The packed view `request` asks of a series read whole. */
export function packedView(series: SeriesColumns | undefined, request: DownsampleRequest): Packed {
  return packed(columnsView(series, request));
}

/** The packed answer for a series a store wrote as FORMAT.md's JSON text. */
export function packedOfAnswer(text: string): Packed {
  return packed(answerView(text));
}
