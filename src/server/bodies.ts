/**
 * The JSON bodies of the read API (FORMAT.md §11), written as text from what the
 * store returns: the fastest way to write a million points, and the way to keep
 * integers beyond 2^53 exact. Each builder's return type names the answer it writes.
 */

import type { SeriesColumns, StoredConfigValue, StringPage } from "../api/read-store.ts";
import type {
  ConfigsResponse,
  DownsampledResponse,
  JsonText,
  MetricPathsResponse,
  ProjectSummary,
  ProjectsResponse,
  RawMetricsResponse,
  RunSummary,
  RunsResponse,
  StringSeriesResponse,
} from "../api/wire.ts";
import { type Bucket, bucketize, bucketSize } from "../storage/downsample.ts";
import { isoFromSeconds } from "../values/time.ts";
import { HeadedBody, KeptHead } from "./headed-body.ts";
import { jsonNumber, jsonValue } from "./json.ts";

/** A streamed JSON body, branded like {@link JsonText}. */
export type JsonStream<T> = ReadableStream<Uint8Array> & { readonly __json?: T };

/** `logged_at` texts, cached: consecutive points mostly share their second. */
class LoggedAt {
  #ts = Number.NaN;
  #text = "";
  json(ts: number): string {
    if (ts !== this.#ts) {
      this.#ts = ts;
      this.#text = `"${isoFromSeconds(ts)}"`;
    }
    return this.#text;
  }
}

export function projectsBody(projects: readonly ProjectSummary[]): JsonText<ProjectsResponse> {
  return JSON.stringify({ projects });
}

export function runsBody(runs: readonly RunSummary[]): JsonText<RunsResponse> {
  return JSON.stringify({ runs });
}

export function configsBody(
  configs: ReadonlyMap<string, StoredConfigValue>,
): JsonText<ConfigsResponse> {
  const parts: string[] = [];
  for (const [path, value] of configs) parts.push(`${JSON.stringify(path)}: ${jsonValue(value)}`);
  return `{"configs": {${parts.join(", ")}}}`;
}

export function metricPathsBody(paths: readonly string[]): JsonText<MetricPathsResponse> {
  return `{"paths": ${JSON.stringify(paths)}}`;
}

/** A string as JSON with every non-ASCII character escaped as `\\uXXXX`. */
function asciiJson(text: string): string {
  return JSON.stringify(text).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Points per chunk of a streamed body. */
const CHUNK = 8192;

/**
 * The raw points of series, streamed in chunks: a million points are about 110 MB
 * of JSON, which is sent while it is being written instead of after. Every series'
 * columns are asked for only when the one before has been sent.
 */
export async function rawMetricsStream(
  series: AsyncIterable<{ readonly path: string; readonly columns: SeriesColumns }>,
): Promise<JsonStream<RawMetricsResponse>> {
  const loggedAt = new LoggedAt();
  const iterator = series[Symbol.asyncIterator]();
  // The first series is read before answering, so that an unreadable file is an error
  // answer, not a 200 that breaks off.
  let pending:
    | IteratorResult<{ readonly path: string; readonly columns: SeriesColumns }>
    | undefined = await iterator.next();
  let current: { pathJson: string; columns: SeriesColumns } | undefined;
  let next = 0;
  let first = true;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = started ? "" : '{"metrics": [';
      started = true;
      while (!current || next >= current.columns.length) {
        const item = pending ?? (await iterator.next());
        pending = undefined;
        if (item.done) {
          controller.enqueue(Buffer.from(`${text}]}`, "latin1"));
          controller.close();
          return;
        }
        current = { pathJson: asciiJson(item.value.path), columns: item.value.columns };
        next = 0;
      }
      const { steps, ys, ts, length } = current.columns;
      const { pathJson } = current;
      const end = Math.min(length, next + CHUNK);
      for (let i = next; i < end; i++) {
        text += `${first ? "" : ", "}{"path": ${pathJson}, "step": ${steps[i]}, "value": ${jsonNumber(ys[i] as number)}, "logged_at": ${loggedAt.json(ts[i] as number)}}`;
        first = false;
      }
      next = end;
      // Every character is ASCII (the path is escaped), so latin1 is UTF-8 here, and
      // it is several times cheaper to encode.
      controller.enqueue(Buffer.from(text, "latin1"));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** One series, streamed. */
export function rawSeriesStream(
  path: string,
  columns: SeriesColumns | undefined,
): Promise<JsonStream<RawMetricsResponse>> | JsonText<RawMetricsResponse> {
  if (columns === undefined) return '{"metrics": []}';
  return rawMetricsStream(
    (async function* () {
      yield { path, columns };
    })(),
  );
}

export interface DownsampleRequest {
  readonly path: string;
  readonly pointCount: number;
  readonly first: number | undefined;
  readonly last: number | undefined;
}

/**
 * The texts of complete buckets already written, by the columns' steps array: for a
 * store whose columns never change below their length while their arrays stay the
 * same (points are only appended into spare room), so that a repeated or live view
 * buckets only the points past the last complete bucket.
 */
export class BucketMemo {
  readonly #entries = new WeakMap<Float64Array, Map<string, MemoEntry>>();
  readonly #heads = new WeakMap<MemoEntry, KeptHead>();

  /** The kept head of answers that reuse `entry` (written by `text` the first time). */
  headOf(entry: MemoEntry, text: () => string): KeptHead {
    let head = this.#heads.get(entry);
    if (!head) {
      head = new KeptHead(text());
      this.#heads.set(entry, head);
    }
    return head;
  }

  get(steps: Float64Array, key: string): MemoEntry | undefined {
    return this.#entries.get(steps)?.get(key);
  }

  set(steps: Float64Array, key: string, entry: MemoEntry): void {
    let entries = this.#entries.get(steps);
    if (!entries) {
      entries = new Map();
      this.#entries.set(steps, entries);
    }
    entries.set(key, entry);
  }
}

/** Complete buckets written: how many, the first one's step, their texts joined. */
interface MemoEntry {
  readonly count: number;
  readonly firstStep: number;
  readonly text: string;
}

/** The bucketed series of FORMAT.md §11, with its bookends and echoed indices. */
export function downsampledBody(
  columns: SeriesColumns | undefined,
  request: DownsampleRequest,
  memo?: BucketMemo,
): JsonText<DownsampledResponse> {
  const answer = downsampledAnswer(columns, request, memo);
  return typeof answer === "string" ? answer : answer.text();
}

/**
 * {@link downsampledBody}, as a {@link HeadedBody} where complete buckets written before
 * are reused: their text, with what comes before it, is the kept head of the answer.
 */
export function downsampledAnswer(
  columns: SeriesColumns | undefined,
  request: DownsampleRequest,
  memo?: BucketMemo,
): JsonText<DownsampledResponse> | HeadedBody {
  const total = columns?.length ?? 0;
  const envelope = (points: string[], f: number, l: number, downsampled: boolean) =>
    `{"points": [${points.join(", ")}], "firstPointIndex": ${f}, "lastPointIndex": ${l}, "totalCount": ${total}, "downsampled": ${downsampled}}`;
  if (columns === undefined || total === 0) return envelope([], 0, 0, false);
  const f = request.first === undefined ? 0 : Math.max(0, request.first);
  const l = request.last === undefined ? total - 1 : Math.min(total - 1, request.last);
  if (f > l) return envelope([], f, l, false);

  const { steps, ys, ts } = columns;
  const count = l - f + 1;
  const pathJson = JSON.stringify(request.path);
  const loggedAt = new LoggedAt();
  const raw = (i: number) => {
    const y = jsonNumber(ys[i] as number);
    return `{"path": ${pathJson}, "step": ${steps[i]}, "value": ${y}, "minY": ${y}, "maxY": ${y}, "downsampled": false, "logged_at": ${loggedAt.json(ts[i] as number)}}`;
  };
  if (count <= request.pointCount) {
    const points: string[] = [];
    for (let i = f; i <= l; i++) points.push(raw(i));
    return envelope(points, f, l, false);
  }
  const k = bucketSize(count, request.pointCount);
  const complete = Math.floor(count / k);
  const key = `${request.pointCount}\u0000${f}\u0000${k}\u0000${request.path}`;
  let known = memo?.get(steps, key);
  // Complete buckets written before, and all of them only while the last bucket is not.
  if (known && known.count > Math.min(complete, Math.ceil(count / k) - 1)) known = undefined;
  const reused = known?.count ?? 0;
  const buckets = bucketize(columns, f + reused * k, l + 1, k);
  const fresh = buckets.map(
    (bucket) =>
      `{"path": ${pathJson}, "step": ${bucket.step}, "value": ${jsonNumber(bucket.value)}, "minY": ${jsonNumber(bucket.minY)}, "maxY": ${jsonNumber(bucket.maxY)}, "downsampled": true, "logged_at": ${loggedAt.json(bucket.ts)}}`,
  );
  const firstStep = known ? known.firstStep : (buckets[0] as { step: number }).step;
  if (memo && complete > reused) {
    const added = fresh.slice(0, complete - reused).join(", ");
    // join writes one flat string (a template would keep a rope, walked at every use).
    const text = known ? [known.text, added].join(", ") : added;
    memo.set(steps, key, { count: complete, firstStep, text });
  }
  const lastRaw =
    (buckets[buckets.length - 1] as { step: number }).step !== steps[l] ? [raw(l)] : [];
  if (memo && known) {
    const entry = known;
    const head = memo.headOf(entry, () =>
      firstStep !== steps[f] ? `{"points": [${raw(f)}, ${entry.text}` : `{"points": [${entry.text}`,
    );
    const rest = [...fresh, ...lastRaw];
    const tail = `${rest.length > 0 ? ", " : ""}${rest.join(", ")}], "firstPointIndex": ${f}, "lastPointIndex": ${l}, "totalCount": ${total}, "downsampled": true}`;
    return new HeadedBody(head, tail);
  }
  const points = [...(firstStep !== steps[f] ? [raw(f)] : []), ...fresh, ...lastRaw];
  return envelope(points, f, l, true);
}

/** One point of a series: what a raw point of a downsampled answer shows. */
export interface SeriesPoint {
  readonly step: number;
  readonly y: number;
  readonly ts: number;
}

/**
 * What {@link downsampledBody} writes for a series of `total` points that is
 * downsampled (more than `pointCount` points at positions `first..last`), from its
 * buckets and its points at `first` and `last`, computed elsewhere (a store that reads
 * a series piece by piece).
 */
export function bucketedBody(
  path: string,
  total: number,
  range: { readonly first: number; readonly last: number },
  buckets: readonly Bucket[],
  ends: { readonly first: SeriesPoint; readonly last: SeriesPoint },
): JsonText<DownsampledResponse> {
  const pathJson = JSON.stringify(path);
  const loggedAt = new LoggedAt();
  const raw = (point: SeriesPoint) => {
    const y = jsonNumber(point.y);
    return `{"path": ${pathJson}, "step": ${point.step}, "value": ${y}, "minY": ${y}, "maxY": ${y}, "downsampled": false, "logged_at": ${loggedAt.json(point.ts)}}`;
  };
  const points = buckets.map(
    (bucket) =>
      `{"path": ${pathJson}, "step": ${bucket.step}, "value": ${jsonNumber(bucket.value)}, "minY": ${jsonNumber(bucket.minY)}, "maxY": ${jsonNumber(bucket.maxY)}, "downsampled": true, "logged_at": ${loggedAt.json(bucket.ts)}}`,
  );
  // The first raw point's logged_at text is written after the buckets' (LoggedAt only caches).
  if ((buckets[0] as Bucket).step !== ends.first.step) points.unshift(raw(ends.first));
  if ((buckets[buckets.length - 1] as Bucket).step !== ends.last.step) points.push(raw(ends.last));
  return `{"points": [${points.join(", ")}], "firstPointIndex": ${range.first}, "lastPointIndex": ${range.last}, "totalCount": ${total}, "downsampled": true}`;
}

export function stringSeriesBody(page: StringPage): JsonText<StringSeriesResponse> {
  const loggedAt = new LoggedAt();
  const parts = page.rows.map(
    ({ path, step, value, ts }) =>
      `{"path": ${JSON.stringify(path)}, "step": ${step}, "value": ${JSON.stringify(value)}, "logged_at": ${loggedAt.json(ts)}}`,
  );
  return `{"string_series": [${parts.join(", ")}], "total": ${page.total}}`;
}
