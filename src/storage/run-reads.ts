/**
 * The reads of one run wherever it lives: its local file or the remote API. `Run`'s
 * read methods go through this interface only; one contract test runs over every
 * implementation.
 */

import type { ConfigValue } from "../values/config-value.ts";
import type { ConfigRow, MetricData, MetricQuery, StringPoint, StringQuery } from "./run-reader.ts";

export interface RunReads {
  /** Whether `path` is a config or a series with at least one point (blocking). */
  exists(path: string): boolean;
  /** The config at `path`, else the last value of its series; `undefined` if none (blocking). */
  get(path: string): ConfigValue | number | string | undefined;
  /** Paths of the metric series, in byte order. */
  metricPaths(): Promise<string[]>;
  /** A metric series' points, or buckets when it is longer than `maxPoints`. */
  metricData(path: string, query: MetricQuery): Promise<MetricData>;
  /** Paths of the string series, in byte order. */
  stringPaths(): Promise<string[]>;
  /** A string series' points in step order, paged with `limit` and `offset`. */
  stringData(path: string, query: StringQuery): Promise<StringPoint[]>;
  /** Every config in write order, as stored. */
  configRows(): Promise<ConfigRow[]>;
  /** Lets go of connections held for reading; a later read opens what it needs. */
  release(): void;
}
