/**
 * `/api/series/columns`: the downsampled series of `/api/series` in columns: each
 * series as arrays of steps, values, minima, maxima and log times instead of one
 * object per point. The figures are exactly those of FORMAT.md §11 (the per-run
 * `/metrics` answer), in a third of the bytes, written and parsed without a string or
 * an object per point. And `/api/series/packed`, what the web UI reads: the same
 * columns as float64 (packed-series.ts), copied rather than written as text.
 */

import type { SeriesColumns } from "../api/read-store.ts";
import type { WireNumber } from "../api/wire.ts";
import { ByteLru, type CacheStats, ENTRY_OVERHEAD_BYTES, stringBytes } from "../cache/byte-lru.ts";
import type { DownsampleRequest } from "./bodies.ts";
import { jsonNumber } from "./json.ts";
import { type Packed, packedView } from "./packed-columns.ts";
import { answerView, type Columns, columnsView } from "./view-columns.ts";

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
    return this.#kept(this.#views, downsampledColumns, series, request, version);
  }

  /** The same view packed (`/api/series/packed`), made once per view at that version. */
  packed(series: SeriesColumns | undefined, request: DownsampleRequest, version: string): Packed {
    return this.#kept(this.#packed, packedView, series, request, version);
  }

  /** The view `make` makes of `series`, kept in `views` (no series: nothing to keep). */
  #kept<T>(
    views: ByteLru<string, T>,
    make: (series: SeriesColumns | undefined, request: DownsampleRequest) => T,
    series: SeriesColumns | undefined,
    request: DownsampleRequest,
    version: string,
  ): T {
    if (series === undefined) return make(series, request);
    const key = this.#key(series, request, version);
    let view = views.get(key);
    if (view === undefined) {
      view = make(series, request);
      views.set(key, view);
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

/**
 * The columnar answer for a series a store wrote as FORMAT.md's JSON text (members
 * without braces): the same figures, each point's `logged_at` as seconds.
 */
export function columnsOfAnswer(text: string): string {
  return columnsText(answerView(text));
}
