/**
 * `Run`: one experiment, logged into one SQLite file. The constructor creates (or
 * resumes, or opens read-only) the file on the main thread; after that every write
 * is validated here and queued for the writer Worker.
 */

import type { RemoteReader } from "../cloud/remote-reader.ts";
import { finishUpload, syncUpload, waitForUpload } from "../cloud/upload-client.ts";
import {
  InvalidValueError,
  ReadOnlyRunError,
  RunClosedError,
  StorageDisabledError,
} from "../errors.ts";
import type { RingProducer } from "../queue/ring-producer.ts";
import type {
  ConfigRow,
  MetricData,
  MetricQuery,
  StringPoint,
  StringQuery,
} from "../storage/run-reader.ts";
import { type ConfigValue, decodeConfigValue } from "../values/config-value.ts";
import { normalizePath } from "../values/field-path.ts";
import { type ConfigEntry, encodeConfigs, flattenInto } from "../values/flatten.ts";
import { pythonJsonStringSet } from "../values/python-json.ts";
import { nowIso } from "../values/time.ts";
import { detachRing } from "../writer/writer-client.ts";
import { FLUSH_TIMEOUT_MS, LocalReads } from "./local-reads.ts";
import { openRun, type RunMode } from "./open-run.ts";
import {
  type CloseOptions,
  type LogConfigsOptions,
  type Logger,
  type LogOptions,
  type RunOptions,
  silentLogger,
  type WaitOptions,
} from "./options.ts";
import { type ExitAware, trackRun, untrackRun } from "./process-hooks.ts";
import type { PathRecord, RunWriter } from "./run-writer.ts";
import { formatTraceback } from "./traceback.ts";
import { validateName } from "./validate-name.ts";

/** A config as `getConfigs` returns it. */
export interface RunConfig {
  readonly path: string;
  readonly typeTag: string;
  readonly value: ConfigValue;
  readonly updatedAt: string;
}

export type { MetricData, StringPoint };

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
export class Run implements ExitAware {
  /** The run id (the file name without `.sqlite`); `""` for a disabled run. */
  readonly runId: string;
  /** The project the run belongs to (`workspace/project` for a cloud run). */
  readonly project: string;
  #name: string | undefined;

  readonly #mode: RunMode;
  readonly #logger: Logger;
  readonly #file: string | undefined;
  readonly #namespace: string | undefined;
  readonly #captureTraceback: boolean;
  readonly #writer: RunWriter | undefined;
  readonly #ring: RingProducer | undefined;
  readonly #ringId: number;
  readonly #remote: RemoteReader | undefined;
  readonly #upload: { readonly id: number; readonly project: string } | undefined;
  readonly #reads: LocalReads | undefined;
  #closed = false;
  #stopCapture: (() => void) | undefined;
  /** Settles when the upload of a closed cloud run has drained. */
  #uploadDone: Promise<void> | undefined;

  constructor(options: RunOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#captureTraceback = options.captureTraceback ?? true;
    const opened = openRun(options, this.#logger);
    this.#mode = opened.mode;
    this.runId = opened.runId;
    this.project = opened.project;
    this.#name = opened.name;
    this.#file = opened.file;
    this.#namespace = opened.namespace;
    this.#writer = opened.writer;
    this.#ring = opened.ring;
    this.#ringId = opened.ringId ?? 0;
    if (opened.file && !opened.remote) {
      this.#reads = new LocalReads(opened.file, opened.runId, opened.ring, opened.reader);
    }
    this.#remote = opened.remote;
    this.#upload = opened.upload;
    this.#stopCapture = opened.stopCapture;
    if (this.#writer) trackRun(this);
  }

  /** The display name (`sys/name`). */
  get name(): string | undefined {
    return this.#name;
  }

  /** Absolute path of the run file; `undefined` for a disabled run. */
  get file(): string | undefined {
    return this.#file;
  }

  /** The prefix of this process's monitoring paths, e.g. `monitoring/1a2b3c4d`. */
  get monitoringNamespace(): string | undefined {
    return this.#namespace;
  }

  /** Whether `close()` has run. */
  get closed(): boolean {
    return this.#closed;
  }

  // ---- writing -------------------------------------------------------------------

  /** The writer if writes are allowed; `undefined` for a disabled run (writes are no-ops). */
  #writable(): RunWriter | undefined {
    if (this.#writer !== undefined && !this.#closed) return this.#writer;
    if (this.#mode === "disabled") return undefined;
    if (this.#mode === "read-only") throw new ReadOnlyRunError(this.runId);
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
    const writer = this.#writer;
    if (writer !== undefined && !this.#closed) writer.log(path, value, options);
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
    this.#writeConfigs(writer, encodeConfigs(data, options?.flatten ?? true));
  }

  /** Adds one or more strings to a string set config such as `sys/tags`. */
  add(path: string, values: string | readonly string[]): void {
    const writer = this.#writable();
    if (!writer) return;
    const normalized = normalizePath(path);
    const members = setArgument(values, normalized);
    const current = this.#currentSet(writer, normalized, "add") ?? new Set<string>();
    for (const member of members) current.add(member);
    this.#writeConfigs(writer, [
      { path: normalized, tag: "string_set", text: pythonJsonStringSet(current) },
    ]);
  }

  /** Removes strings from a string set config; a missing set is left alone. */
  remove(path: string, values: string | readonly string[]): void {
    const writer = this.#writable();
    if (!writer) return;
    const normalized = normalizePath(path);
    const members = setArgument(values, normalized);
    const current = this.#currentSet(writer, normalized, "remove");
    if (current === undefined) return;
    for (const member of members) current.delete(member);
    this.#writeConfigs(writer, [
      { path: normalized, tag: "string_set", text: pythonJsonStringSet(current) },
    ]);
  }

  #currentSet(writer: RunWriter, path: string, verb: string): Set<string> | undefined {
    const tag = writer.configTag(path);
    if (tag === undefined) return undefined;
    if (tag !== "string_set") {
      throw new InvalidValueError(
        `Cannot ${verb} string-set values at '${path}': it holds a config of type '${tag}'.`,
        path,
      );
    }
    return new Set(writer.stringSet(path));
  }

  #writeConfigs(writer: RunWriter, entries: ConfigEntry[]): void {
    const rename = entries.findLast((entry) => entry.path === "sys/name");
    if (rename !== undefined) {
      if (rename.tag !== "str") {
        throw new InvalidValueError("sys/name must be a string.", "sys/name");
      }
      validateName(rename.text);
    }
    writer.configs(entries);
    if (rename !== undefined) {
      writer.meta("name", rename.text);
      this.#name = rename.text;
    }
  }

  // ---- reading -------------------------------------------------------------------

  #local(): LocalReads {
    if (!this.#reads) throw new StorageDisabledError();
    return this.#reads;
  }

  /** Whether `path` is a config or a series with at least one point. */
  exists(path: string): boolean {
    const normalized = normalizePath(path);
    if (this.#remote) return this.#remote.existsNow(normalized);
    return this.#local().now((reader) => reader.exists(normalized));
  }

  /** The config at `path`, else the last value of its metric or string series; `undefined` if none. */
  get(path: string): ConfigValue | number | string | undefined {
    const normalized = normalizePath(path);
    if (this.#remote) return this.#remote.getNow(normalized);
    return this.#local().now((reader) => reader.get(normalized));
  }

  /** Paths of the metric series that have at least one point, in byte order. */
  async getMetricPaths(): Promise<string[]> {
    if (this.#remote) return this.#remote.metricPaths();
    return this.#local().later((reader) => reader.metricPaths());
  }

  /**
   * The points of a metric series, optionally within `[stepMin, stepMax]`; with
   * `maxPoints`, longer series come back as at most that many buckets.
   */
  async getMetricData(path: string, query: MetricQuery = {}): Promise<MetricData> {
    const normalized = normalizePath(path);
    checkQueryNumber(query.maxPoints, "maxPoints", 1);
    if (this.#remote) return this.#remote.metricData(normalized, query);
    return this.#local().later((reader) => reader.metricData(normalized, query));
  }

  /** Paths of the string series that have at least one point, in byte order. */
  async getStringPaths(): Promise<string[]> {
    if (this.#remote) return this.#remote.stringPaths();
    return this.#local().later((reader) => reader.stringPaths());
  }

  /** The points of a string series in step order, optionally paged with `limit` and `offset`. */
  async getStringData(path: string, query: StringQuery = {}): Promise<StringPoint[]> {
    const normalized = normalizePath(path);
    checkQueryNumber(query.limit, "limit", 0);
    checkQueryNumber(query.offset, "offset", 0);
    if (this.#remote) return this.#remote.stringData(normalized, query);
    return this.#local().later((reader) => reader.stringData(normalized, query));
  }

  /** Every config in write order, typed. */
  async getConfigs(): Promise<RunConfig[]> {
    const rows = this.#remote
      ? await this.#remote.configRows()
      : await this.#local().later((reader) => reader.configRows());
    return rows.map((row: ConfigRow) => ({
      path: row.path,
      typeTag: row.typeTag,
      value: decodeConfigValue(row.typeTag, row.text),
      updatedAt: row.updatedAt,
    }));
  }

  // ---- sync and lifecycle ----------------------------------------------------------

  /**
   * Starts an upload cycle now, of everything logged so far (cloud runs; nothing to do
   * for local and disabled ones).
   */
  sync(): void {
    if (!this.#upload || this.#closed) return;
    this.#reads?.flushNow();
    syncUpload(this.#upload.id);
  }

  /**
   * Waits until everything logged so far is uploaded, or `timeoutMs` passed. Local and
   * disabled runs have nothing to wait for.
   */
  async wait(options: WaitOptions = {}): Promise<void> {
    if (!this.#upload) return;
    if (this.#closed) {
      await this.#uploadDone;
      return;
    }
    await this.#reads?.later(() => undefined);
    await waitForUpload(this.#upload.id, options.timeoutMs);
  }

  /**
   * Closes the run with `status` (default `finished`). All local work (the last
   * points, the status, the checkpoint into one file) is done before this returns;
   * the promise settles when the upload has drained, or after `uploadTimeoutMs`, when
   * the run stays complete locally and `goodseed upload` can finish the upload.
   */
  close(status = "finished", options: CloseOptions = {}): Promise<void> {
    const wasOpen = !this.#closed;
    this.#closeNow(status);
    if (wasOpen && this.#upload) this.#uploadDone = this.#finishUpload(options.uploadTimeoutMs);
    return this.#uploadDone ?? Promise.resolve();
  }

  async #finishUpload(timeoutMs: number | undefined): Promise<void> {
    const upload = this.#upload as { id: number; project: string };
    const result = await finishUpload(upload.id, timeoutMs);
    if (result.remaining > 0) {
      this.#logger.warn(
        `${result.remaining} item(s) of run '${this.runId}' are not uploaded yet. Finish with: goodseed upload -p ${upload.project} --run-id ${this.runId}`,
      );
    }
  }

  /** Closes the run synchronously (used when the process is exiting). */
  closeOnExit(status: "finished" | "failed", error?: unknown): void {
    if (this.#closed) return;
    if (error !== undefined) this.#logTraceback(error);
    this.#closeNow(status);
  }

  /** Logs `error` as this run's traceback, if traceback capture is on. */
  #logTraceback(error: unknown): void {
    if (!this.#captureTraceback || !this.#namespace || !this.#writer || this.#closed) return;
    const path = `${this.#namespace}/traceback`;
    this.#writer.log(path, formatTraceback(error), { step: this.#writer.nextStep(path) });
  }

  /** @internal Used by `withRun`: logs the error and closes the run `failed`. */
  failWith(error: unknown): void {
    this.closeOnExit("failed", error);
  }

  #closeNow(status: string): void {
    if (this.#closed) return;
    if (typeof status !== "string" || status === "") {
      throw new InvalidValueError(
        "close(status) takes a non-empty string such as 'finished' or 'failed'.",
      );
    }
    this.#closed = true;
    this.#stopCapture?.();
    this.#stopCapture = undefined;
    const writer = this.#writer;
    const ring = this.#ring;
    if (writer && ring) {
      writer.meta("status", status);
      writer.meta("closed_at", nowIso());
      const closedTime = nowIso();
      writer.configs([
        { path: "sys/state", tag: "str", text: status },
        { path: "sys/closed_time", tag: "str", text: closedTime },
      ]);
      // Our read connection must be gone before the Worker's close, or the WAL files stay.
      this.#reads?.closed(true);
      writer.close();
      const done = ring.waitClosed(FLUSH_TIMEOUT_MS);
      detachRing(this.#ringId);
      untrackRun(this);
      if (!done) {
        this.#logger.error(
          `Run '${this.runId}' did not finish closing within ${FLUSH_TIMEOUT_MS / 1000} s; its file may be locked.`,
        );
      }
    } else {
      this.#reads?.closed(false);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal Closes the run (when the program is done) and waits for its upload. */
  closeAtEnd(): Promise<void> {
    return this.close("finished", { uploadTimeoutMs: 60_000 });
  }

  [Symbol.dispose](): void {
    this.#closeNow("finished");
  }
}

function setArgument(values: unknown, path: string): string[] {
  if (typeof values === "string") return [values];
  if (Array.isArray(values) || values instanceof Set) {
    const members: string[] = [];
    for (const value of values) {
      if (typeof value !== "string") {
        throw new InvalidValueError(
          `String set '${path}' takes strings, got ${typeof value}.`,
          path,
        );
      }
      members.push(value);
    }
    return members;
  }
  throw new InvalidValueError(`String set '${path}' takes a string or an array of strings.`, path);
}

function checkQueryNumber(value: number | undefined, name: string, min: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidValueError(
      `${name} must be an integer of at least ${min}, got ${String(value)}.`,
    );
  }
}
