/**
 * goodseed: a local-first experiment tracker for Bun. Every run is one SQLite file in
 * the format of the Python goodseed client 0.4.0.
 */

export {
  GoodseedError,
  type GoodseedErrorCode,
  InvalidOptionError,
  InvalidValueError,
  isGoodseedError,
  ReadOnlyRunError,
  RunActiveError,
  RunClosedError,
  RunExistsError,
  RunNotFoundError,
  StorageDisabledError,
  StorageError,
  StorageUnavailableError,
} from "./errors.ts";
export {
  type CloseOptions,
  GitRef,
  type LogConfigsOptions,
  type Logger,
  type LogOptions,
  type RunOptions,
  Storage,
  type StorageMode,
  type WaitOptions,
} from "./run/options.ts";
export { type MetricData, Run, type RunConfig, type StringPoint } from "./run/run.ts";
export { withRun } from "./run/with-run.ts";
export type { MetricBucket, MetricPoint, MetricQuery, StringQuery } from "./storage/run-reader.ts";
export type { ConfigValue, TypeTag } from "./values/config-value.ts";
