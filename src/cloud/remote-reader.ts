/**
 * Reads of a read-only cloud run, through the remote API (FORMAT.md §12), in the same
 * shapes as the local reads. The blocking variants (for `exists` and `get`) go
 * through the upload Worker.
 */

import type {
  ConfigRow,
  MetricData,
  MetricQuery,
  StringPoint,
  StringQuery,
} from "../storage/run-reader.ts";
import type { RunReads } from "../storage/run-reads.ts";
import { type ConfigValue, decodeConfigValue } from "../values/config-value.ts";
import type { ApiClient, Outcome } from "./api-client.ts";

type Getter = (
  path: string,
  query: Record<string, string | number | undefined>,
) => Promise<Outcome>;
/** The same GET, blocking the calling thread (for `exists` and `get`). */
export type BlockingGetter = (
  path: string,
  query: Record<string, string | number | undefined>,
) => Outcome;

function need<T>(outcome: Outcome, what: string): T {
  if (outcome.kind === "ok") return outcome.body as T;
  throw new Error(`could not read ${what} from the remote API: ${outcome.message}`);
}

function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number(value);
}

export class RemoteReader implements RunReads {
  readonly #base: string;
  readonly #get: Getter;
  readonly #blockingGet: BlockingGetter;

  constructor(api: ApiClient, remoteId: string, blockingGet: BlockingGetter) {
    this.#base = `/api/v1/runs/${encodeURIComponent(remoteId)}`;
    this.#get = (path, query) => api.request("GET", path, { query });
    this.#blockingGet = blockingGet;
  }

  #configsNow(): ConfigRow[] {
    return RemoteReader.#rows(
      need<{ configs?: unknown }>(this.#blockingGet(this.#base, {}), "the run"),
    );
  }

  /** Whether `path` is a config or a series of the remote run (blocking). */
  exists(path: string): boolean {
    if (this.#configsNow().some((row) => row.path === path)) return true;
    const items = need<{ path?: unknown }[]>(
      this.#blockingGet(`${this.#base}/paths`, {}),
      "the paths",
    );
    return Array.isArray(items) && items.some((item) => item.path === path);
  }

  /** The config at `path`, else the last value of its series (blocking). */
  get(path: string): ConfigValue | number | string | undefined {
    const config = RemoteReader.configValue(this.#configsNow(), path);
    if (config !== undefined) return config;
    const items = need<{ path?: unknown; type?: unknown }[]>(
      this.#blockingGet(`${this.#base}/paths`, {}),
      "the paths",
    );
    const series = Array.isArray(items) ? items.find((item) => item.path === path) : undefined;
    if (!series) return undefined;
    if (series.type === "string") {
      const body = need<unknown>(
        this.#blockingGet(`${this.#base}/data/strings`, { path }),
        `string series '${path}'`,
      );
      const points = (
        Array.isArray(body) ? body : ((body as { points?: unknown }).points ?? [])
      ) as Record<string, unknown>[];
      const last = points.reduce<Record<string, unknown> | undefined>(
        (best, point) =>
          best === undefined || numberOf(point.step) >= numberOf(best.step) ? point : best,
        undefined,
      );
      return last === undefined ? undefined : String(last.value ?? last.text ?? "");
    }
    const body = need<{ raw_points?: unknown }>(
      this.#blockingGet(`${this.#base}/data/metrics`, { path }),
      `metric '${path}'`,
    );
    const raw = (Array.isArray(body.raw_points) ? body.raw_points : []) as {
      step: unknown;
      y: unknown;
    }[];
    const last = raw.reduce<{ step: unknown; y: unknown } | undefined>(
      (best, point) =>
        best === undefined || numberOf(point.step) >= numberOf(best.step) ? point : best,
      undefined,
    );
    return last === undefined ? undefined : numberOf(last.y);
  }

  async #paths(type: "metric" | "string"): Promise<string[]> {
    const items = need<{ path?: unknown; type?: unknown }[]>(
      await this.#get(`${this.#base}/paths`, {}),
      "the paths",
    );
    // The API promises no order; local reads come in SQLite's, UTF-8 byte order.
    return (Array.isArray(items) ? items : [])
      .filter((item) => item.type === type && typeof item.path === "string")
      .map((item) => item.path as string)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  metricPaths(): Promise<string[]> {
    return this.#paths("metric");
  }

  stringPaths(): Promise<string[]> {
    return this.#paths("string");
  }

  async metricData(path: string, query: MetricQuery = {}): Promise<MetricData> {
    const body = need<{ downsampled?: unknown; raw_points?: unknown; buckets?: unknown }>(
      await this.#get(`${this.#base}/data/metrics`, {
        path,
        step_min: query.stepMin,
        step_max: query.stepMax,
        max_points: query.maxPoints,
      }),
      `metric '${path}'`,
    );
    if (body.downsampled === true && Array.isArray(body.buckets)) {
      const buckets = (body.buckets as Record<string, unknown>[]).map((bucket) => ({
        step: numberOf(bucket.step ?? bucket.step_avg),
        y: numberOf(bucket.y ?? bucket.value ?? bucket.avg),
        yMin: numberOf(bucket.yMin ?? bucket.y_min ?? bucket.min),
        yMax: numberOf(bucket.yMax ?? bucket.y_max ?? bucket.max),
        stepMin: numberOf(bucket.stepMin ?? bucket.step_min ?? bucket.step),
        stepMax: numberOf(bucket.stepMax ?? bucket.step_max ?? bucket.step),
        count: numberOf(bucket.count ?? 1),
      }));
      return { path, downsampled: true, buckets };
    }
    const raw = Array.isArray(body.raw_points)
      ? (body.raw_points as { step: unknown; y: unknown }[])
      : [];
    return {
      path,
      downsampled: false,
      rawPoints: raw.map((point) => ({ step: numberOf(point.step), y: numberOf(point.y) })),
    };
  }

  async stringData(path: string, query: StringQuery = {}): Promise<StringPoint[]> {
    const body = need<unknown>(
      await this.#get(`${this.#base}/data/strings`, {
        path,
        limit: query.limit,
        offset: query.offset,
      }),
      `string series '${path}'`,
    );
    const points = Array.isArray(body) ? body : ((body as { points?: unknown }).points ?? []);
    return (points as Record<string, unknown>[]).map((point) => ({
      step: numberOf(point.step),
      value: String(point.value ?? point.text ?? ""),
      timestampMs: numberOf(point.timestampMs ?? point.timestamp_ms ?? 0),
    }));
  }

  /** Nothing to let go of: every read is its own request. */
  release(): void {}

  async configRows(): Promise<ConfigRow[]> {
    return RemoteReader.#rows(
      need<{ configs?: unknown }>(await this.#get(this.#base, {}), "the run"),
    );
  }

  static #rows(body: { configs?: unknown }): ConfigRow[] {
    const configs = Array.isArray(body.configs) ? (body.configs as Record<string, unknown>[]) : [];
    return configs.map((row) => ({
      path: String(row.path),
      typeTag: String(row.type_tag ?? "str"),
      text: row.value === null || row.value === undefined ? null : String(row.value),
      updatedAt: String(row.updated_at ?? ""),
    }));
  }

  /** The typed value of a config from the rows. */
  static configValue(rows: readonly ConfigRow[], path: string) {
    const row = rows.find((candidate) => candidate.path === path);
    return row ? decodeConfigValue(row.typeTag, row.text) : undefined;
  }
}
