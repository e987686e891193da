/**
 * `Run`: one experiment, logged into one SQLite file. The constructor creates (or
 * resumes, or opens read-only) the file on the main thread; after that every write
 * is validated here and queued for the writer Worker.
 */

import {
  InvalidValueError,
  ReadOnlyRunError,
  RunClosedError,
  StorageDisabledError,
} from "../errors.ts";
import type { MetricData, MetricQuery, StringPoint, StringQuery } from "../storage/run-reader.ts";
import type { RunReads } from "../storage/run-reads.ts";
import type { ConfigValue } from "../values/config-value.ts";
import { describe, normalizePath } from "../values/field-path.ts";
import { type ConfigEntry, encodeConfigs, flattenInto } from "../values/flatten.ts";
import { checkMetricQuery, checkStringQuery } from "./argument-checks.ts";
import { stringSetChange, writeConfigs } from "./config-writes.ts";
import { type Ending, endRun } from "./ending.ts";
import { openSession } from "./open-session.ts";
import {
  type CloseOptions,
  guardedLogger,
  type LogConfigsOptions,
  type LogOptions,
  type RunOptions,
  type WaitOptions,
} from "./options.ts";
import { type RunConfig, runConfig } from "./run-config.ts";
import type { PathRecord, RunWriter } from "./run-writer.ts";
import type { RunSession } from "./session.ts";

export type { MetricData, RunConfig, StringPoint };

/**
 * An experiment run.
 *
 * @example
 * ```ts
 * import { Run } from "goodseed";
 * await using run = new Run({ project: "demo", name: "baseline", storage: "local" });
 * run.set("parameters", { lr: 1e-3, batchSize: 32 });
 * for (let step = 0; step < 100; step++) run.log("train/loss", 1 / (step + 1), { step });
 * ```
 */
export class Run {
  /** The run id (the file name without `.sqlite`); `""` for a disabled run. */
  readonly runId: string;
  /** The project the run belongs to (`workspace/project` for a cloud run). */
  readonly project: string;
  #name: string | undefined;
  readonly #session: RunSession;

  constructor(options: RunOptions = {}) {
    const opened = openSession(options, guardedLogger(options.logger));
    this.runId = opened.runId;
    this.project = opened.project;
    this.#name = opened.name;
    this.#session = opened.session;
  }

  /** The display name (`sys/name`). */
  get name(): string | undefined {
    return this.#name;
  }

  /** Absolute path of the run file; `undefined` for a disabled run. */
  get file(): string | undefined {
    return this.#session.kind === "disabled" ? undefined : this.#session.file;
  }

  /** The prefix of this process's monitoring paths, e.g. `monitoring/1a2b3c4d`. */
  get monitoringNamespace(): string | undefined {
    return this.#session.kind === "write" ? this.#session.namespace : undefined;
  }

  /** Whether `close()` has run. */
  get closed(): boolean {
    return this.#session.ended;
  }

  // ---- writing -------------------------------------------------------------------

  /** The writer if writes are allowed; `undefined` for a disabled run (writes are no-ops). */
  #writable(): RunWriter | undefined {
    const session = this.#session;
    if (session.kind === "write" && !session.ended) return session.writer;
    if (session.kind === "disabled") return undefined;
    if (session.kind === "read") throw new ReadOnlyRunError(this.runId);
    throw new RunClosedError(this.runId);
  }

  /**
   * Sets a config. Plain objects, Maps and arrays are flattened under `path`
   * (`run.set("parameters", { lr: 0.1 })` stores `parameters/lr`).
   */
  set(path: string, value: unknown): void {
    const writer = this.#writable();
    if (!writer) return;
    const entries: ConfigEntry[] = [];
    flattenInto(value, path, entries);
    this.#writeConfigs(writer, entries);
  }

  /**
   * Logs a point: a number goes to a metric series, a string to a string series.
   * Without `step`, the path's next auto-step is used.
   */
  log(path: string, value: number | string | bigint, options?: LogOptions): void {
    const session = this.#session;
    if (session.kind === "write" && !session.ended) session.writer.log(path, value, options);
    else this.#writable();
  }

  /** Logs several metrics at one step, atomically: every value is checked first. */
  logMetrics(data: PathRecord<number>, options?: LogOptions): void {
    this.#writable()?.logMetrics(data, options);
  }

  /** Logs several string series points at one step, atomically. */
  logStrings(data: PathRecord<string>, options?: LogOptions): void {
    this.#writable()?.logStrings(data, options);
  }

  /** Logs configs; with `flatten` (the default) nested containers become `/`-joined paths. */
  logConfigs(data: PathRecord<unknown>, options?: LogConfigsOptions): void {
    const writer = this.#writable();
    if (!writer) return;
    const flatten = options?.flatten ?? true;
    if (typeof flatten !== "boolean") {
      throw new InvalidValueError(
        `logConfigs' flatten option is true or false, got ${describe(flatten)}.`,
      );
    }
    this.#writeConfigs(writer, encodeConfigs(data, flatten));
  }

  /** Adds one or more strings to a string set config such as `sys/tags`. */
  add(path: string, values: string | readonly string[]): void {
    const writer = this.#writable();
    if (writer) this.#writeConfigs(writer, stringSetChange(writer, path, values, "add"));
  }

  /** Removes strings from a string set config; a missing set is left alone. */
  remove(path: string, values: string | readonly string[]): void {
    const writer = this.#writable();
    if (writer) this.#writeConfigs(writer, stringSetChange(writer, path, values, "remove"));
  }

  #writeConfigs(writer: RunWriter, entries: ConfigEntry[]): void {
    const renamed = writeConfigs(writer, entries);
    if (renamed !== undefined) this.#name = renamed;
  }

  // ---- reading -------------------------------------------------------------------

  #reads(): RunReads {
    if (this.#session.kind === "disabled") throw new StorageDisabledError();
    return this.#session.reads;
  }

  /** Whether `path` is a config or a series with at least one point. */
  exists(path: string): boolean {
    return this.#reads().exists(normalizePath(path));
  }

  /** The config at `path`, else the last value of its metric or string series; `undefined` if none. */
  get(path: string): ConfigValue | number | string | undefined {
    return this.#reads().get(normalizePath(path));
  }

  /** Paths of the metric series that have at least one point, in byte order. */
  async getMetricPaths(): Promise<string[]> {
    return this.#reads().metricPaths();
  }

  /**
   * The points of a metric series, optionally within `[stepMin, stepMax]`; with
   * `maxPoints`, longer series come back as at most that many buckets.
   */
  async getMetricData(path: string, query: MetricQuery = {}): Promise<MetricData> {
    const normalized = normalizePath(path);
    checkMetricQuery(query);
    return this.#reads().metricData(normalized, query);
  }

  /** Paths of the string series that have at least one point, in byte order. */
  async getStringPaths(): Promise<string[]> {
    return this.#reads().stringPaths();
  }

  /** The points of a string series in step order, optionally paged with `limit` and `offset`. */
  async getStringData(path: string, query: StringQuery = {}): Promise<StringPoint[]> {
    const normalized = normalizePath(path);
    checkStringQuery(query);
    return this.#reads().stringData(normalized, query);
  }

  /** Every config in write order, typed. */
  async getConfigs(): Promise<RunConfig[]> {
    return (await this.#reads().configRows()).map(runConfig);
  }

  // ---- sync and lifecycle ----------------------------------------------------------

  /**
   * Starts an upload cycle now, of everything logged so far (cloud runs; nothing to do
   * for local and disabled ones).
   */
  sync(): void {
    if (this.#session.kind === "write") this.#session.sync();
  }

  /**
   * Waits until everything logged so far is uploaded, or `timeoutMs` passed; after
   * `close`, until the upload has drained. Local and disabled runs have nothing to
   * wait for.
   */
  async wait(options: WaitOptions = {}): Promise<void> {
    if (this.#session.kind === "write") await this.#session.wait(options.timeoutMs);
  }

  /**
   * Closes the run with `status` (default `finished`). All local work (the last
   * points, the status, the checkpoint into one file) is done before this returns;
   * the promise settles when the upload has drained, or after `uploadTimeoutMs`, when
   * the run stays complete locally and `goodseed upload` can finish the upload.
   */
  close(status = "finished", options: CloseOptions = {}): Promise<void> {
    return this.#session.end({ status, uploadTimeoutMs: options.uploadTimeoutMs });
  }

  /** @internal The single close path with an error to log as the traceback (`withRun`). */
  [endRun](ending: Ending): Promise<void> {
    return this.#session.end(ending);
  }

  /** `await using run = new Run(…)`: closes `finished` and waits for the upload. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `using run = new Run(…)`: closes `finished`; a cloud run's upload drains in the background. */
  [Symbol.dispose](): void {
    this.close().catch(() => {});
  }
}
