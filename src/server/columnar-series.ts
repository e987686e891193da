/**
 * `/api/series/columns`: the downsampled series of `/api/series` in columns: each
 * series as arrays of steps, values, minima, maxima and log times instead of one
 * object per point. The figures are exactly those of FORMAT.md §11 (the per-run
 * `/metrics` answer), in a third of the bytes, written and parsed without a string or
 * an object per point. And `/api/series/packed`, what the web UI reads: the same
 * columns as float64 (packed-series.ts), copied rather than written as text.
 */

import { answerColumns } from "../api/answer-columns.ts";
import { headMembers, packColumns } from "../api/packed-series.ts";
import type { SeriesColumns } from "../api/read-store.ts";
import type { DownsampledResponse, WireNumber } from "../api/wire.ts";
import { ByteLru, type CacheStats, ENTRY_OVERHEAD_BYTES, stringBytes } from "../cache/byte-lru.ts";
import { bucketize, bucketSize } from "../storage/downsample.ts";
import type { DownsampleRequest } from "./bodies.ts";
import { jsonNumber } from "./json.ts";

/** Columns of one answer, as FORMAT.md's points would be in order. */
interface Columns {
  readonly first: number;
  readonly last: number;
  readonly total: number;
  readonly downsampled: boolean;
  /** Points `[from, to)` are buckets; any before and after are raw points. */
  readonly bucketed: readonly [number, number];
  readonly steps: ArrayLike<number>;
  readonly values: ArrayLike<number | WireNumber>;
  readonly mins: ArrayLike<number | WireNumber>;
  readonly maxs: ArrayLike<number | WireNumber>;
  /** When each point (a bucket: its middle point) was logged, seconds since 1970. */
  readonly times: ArrayLike<number>;
}

/**
 * `values` as a JSON array, non-finite numbers as FORMAT.md's strings. Finite numbers
 * are written by the engine's own `join` (the same shortest form as `String`): a
 * page's first view writes half a million of them, and one `String` call each was
 * most of its time.
 */
function numbers(values: ArrayLike<number | WireNumber>): string {
  let plain = true;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      plain = false;
      break;
    }
  }
  if (plain) return `[${Array.prototype.join.call(values, ",")}]`;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number | WireNumber;
    parts[i] = typeof value === "number" ? jsonNumber(value) : JSON.stringify(value);
  }
  return `[${parts.join(",")}]`;
}

/** The members of one entry (no braces), in the order the UI reads them. */
function columnsText(columns: Columns): string {
  return `"firstPointIndex": ${columns.first}, "lastPointIndex": ${columns.last}, "totalCount": ${columns.total}, "downsampled": ${columns.downsampled}, "bucketed": [${columns.bucketed[0]}, ${columns.bucketed[1]}], "step": ${numbers(columns.steps)}, "value": ${numbers(columns.values)}, "minY": ${numbers(columns.mins)}, "maxY": ${numbers(columns.maxs)}, "loggedAt": ${numbers(columns.times)}`;
}

const empty = (first: number, last: number, total: number): Columns => ({
  first,
  last,
  total,
  downsampled: false,
  bucketed: [0, 0],
  steps: [],
  values: [],
  mins: [],
  maxs: [],
  times: [],
});

/** Bytes the kept columnar views may take (see {@link ColumnsMemo}). @default 64 MiB */
export const COLUMNS_MEMO_BYTES = 64 * 2 ** 20;

/**
 * Columnar answers written before, as text and packed, by the series' columns and the
 * run's version (a store may change points in place, below their length, but not
 * without a new version), and the view asked: a page opened again is answered without
 * bucketing or writing its series again. Bounded by bytes (half for each form); one
 * memo may serve every app over the same store's arrays (access is checked before a
 * series is read).
 */
export class ColumnsMemo {
  /** A number for each columns' array, held weakly: keys stay short and never alias. */
  readonly #ids = new WeakMap<Float64Array, number>();
  #nextId = 0;
  readonly #views: ByteLru<string, string>;
  readonly #packed: ByteLru<string, Packed>;

  constructor(maxBytes = COLUMNS_MEMO_BYTES) {
    this.#views = new ByteLru(
      maxBytes / 2,
      (key, text) => stringBytes(key) + stringBytes(text) + ENTRY_OVERHEAD_BYTES,
    );
    this.#packed = new ByteLru(
      maxBytes / 2,
      (key, view) =>
        stringBytes(key) +
        stringBytes(view.members) +
        view.numbers.byteLength +
        ENTRY_OVERHEAD_BYTES,
    );
  }

  /** The key of a view of `series` at `version`. */
  #key(series: SeriesColumns, request: DownsampleRequest, version: string): string {
    let id = this.#ids.get(series.steps);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(series.steps, id);
    }
    return `${id}\u0000${version}\u0000${series.length}\u0000${request.pointCount}\u0000${request.first}\u0000${request.last}`;
  }

  /**
   * {@link downsampledColumns} of `series` of a run at `version`, written once per view
   * of these columns at that version.
   */
  answer(series: SeriesColumns | undefined, request: DownsampleRequest, version: string): string {
    if (series === undefined) return downsampledColumns(series, request);
    const key = this.#key(series, request, version);
    let text = this.#views.get(key);
    if (text === undefined) {
      text = downsampledColumns(series, request);
      this.#views.set(key, text);
    }
    return text;
  }

  /** The same view packed (`/api/series/packed`), made once per view at that version. */
  packed(series: SeriesColumns | undefined, request: DownsampleRequest, version: string): Packed {
    if (series === undefined) return packed(columnsView(series, request));
    const key = this.#key(series, request, version);
    let view = this.#packed.get(key);
    if (view === undefined) {
      view = packed(columnsView(series, request));
      this.#packed.set(key, view);
    }
    return view;
  }

  get stats(): CacheStats {
    const text = this.#views.stats;
    const packed = this.#packed.stats;
    return {
      bytes: text.bytes + packed.bytes,
      maxBytes: text.maxBytes + packed.maxBytes,
      entries: text.entries + packed.entries,
    };
  }
}

/**
 * The columnar answer for a series read whole (members without braces): the same
 * buckets and raw end points as `downsampledBody` writes.
 */
export function downsampledColumns(
  series: SeriesColumns | undefined,
  request: DownsampleRequest,
): string {
  return columnsText(columnsView(series, request));
}

/** The columns of a series read whole, as the view `request` asks. */
function columnsView(series: SeriesColumns | undefined, request: DownsampleRequest): Columns {
  const total = series?.length ?? 0;
  if (series === undefined || total === 0) return empty(0, 0, 0);
  const first = request.first === undefined ? 0 : Math.max(0, request.first);
  const last = request.last === undefined ? total - 1 : Math.min(total - 1, request.last);
  if (first > last) return empty(first, last, total);
  const { steps, ys, ts } = series;
  const count = last - first + 1;
  if (count <= request.pointCount) {
    const ends = [first, last + 1] as const;
    const values = ys.subarray(...ends);
    return {
      first,
      last,
      total,
      downsampled: false,
      bucketed: [0, 0],
      steps: steps.subarray(...ends),
      values,
      mins: values,
      maxs: values,
      times: ts.subarray(...ends),
    };
  }
  const buckets = bucketize(series, first, last + 1, bucketSize(count, request.pointCount));
  const head = (buckets[0] as { step: number }).step !== steps[first] ? [first] : [];
  const tail = (buckets[buckets.length - 1] as { step: number }).step !== steps[last] ? [last] : [];
  const pointSteps: number[] = [];
  const values: number[] = [];
  const mins: number[] = [];
  const maxs: number[] = [];
  const times: number[] = [];
  const raw = (i: number) => {
    const y = ys[i] as number;
    pointSteps.push(steps[i] as number);
    values.push(y);
    mins.push(y);
    maxs.push(y);
    times.push(ts[i] as number);
  };
  for (const i of head) raw(i);
  for (const bucket of buckets) {
    pointSteps.push(bucket.step);
    values.push(bucket.value);
    mins.push(bucket.minY);
    maxs.push(bucket.maxY);
    times.push(bucket.ts);
  }
  for (const i of tail) raw(i);
  return {
    first,
    last,
    total,
    downsampled: true,
    bucketed: [head.length, head.length + buckets.length],
    steps: pointSteps,
    values,
    mins,
    maxs,
    times,
  };
}

/**
 * The columnar answer for a series a store wrote as FORMAT.md's JSON text (members
 * without braces): the same figures, each point's `logged_at` as seconds.
 */
export function columnsOfAnswer(text: string): string {
  return columnsText(answerView(text));
}

/** The packed answer (packed-series.ts) for a series a store wrote as FORMAT.md's JSON text. */
export function packedOfAnswer(text: string): Packed {
  return packed(answerView(text));
}

function answerView(text: string): Columns {
  const answer = answerColumns(JSON.parse(text) as DownsampledResponse);
  return {
    first: answer.firstPointIndex,
    last: answer.lastPointIndex,
    total: answer.totalCount,
    downsampled: answer.downsampled,
    bucketed: answer.bucketed,
    steps: answer.step,
    values: answer.value,
    mins: answer.minY,
    maxs: answer.maxY,
    times: answer.loggedAt,
  };
}

/** A number of the API, where non-finite values may travel as strings. */
function wireValue(value: number | WireNumber): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

/** `values[from, to)` as numbers. */
function numeric(values: ArrayLike<number | WireNumber>, from: number, to: number): Float64Array {
  if (values instanceof Float64Array) return values.subarray(from, to);
  const out = new Float64Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = wireValue(values[i] as number | WireNumber);
  return out;
}

/** One series of a packed answer: its head's members and its numbers. */
export interface Packed {
  readonly members: string;
  readonly numbers: Float64Array;
}

function packed(columns: Columns): Packed {
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
    }),
    numbers: packColumns({
      steps: columns.steps,
      values: numeric(columns.values, 0, n),
      times: columns.times,
      mins: numeric(columns.mins, from, to),
      maxs: numeric(columns.maxs, from, to),
    }),
  };
}
