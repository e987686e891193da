/**
 * Uploads one run file to the remote API, in the background, until told to finish:
 * registers the run, then in cycles sends configs, metric points and string points
 * that are not yet marked uploaded, and marks each batch only once the API confirmed
 * it. Network trouble, 429 and 5xx are retried forever with capped, jittered
 * exponential backoff (honouring Retry-After); 401, 403 and 404 are reported once and
 * stop the upload, leaving the rows for `goodseed upload`.
 */

import { Database } from "bun:sqlite";
import { type ApiClient, backoffMs, type Outcome } from "./api-client.ts";
import { type RunIdentity, registerRun, sendHeartbeat, sendStatus } from "./remote-run.ts";
import { countPending, readEnding } from "./upload-batches.ts";
import { type CycleResult, UploadCycle } from "./upload-cycle.ts";
import { type UploaderEvents, UploadReports } from "./upload-reports.ts";

export type { UploaderEvents } from "./upload-reports.ts";

const CYCLE_PAUSE_MS = 5000;
const HEARTBEAT_MS = 15_000;

export interface UploaderOptions {
  readonly file: string;
  readonly identity: RunIdentity;
  readonly api: ApiClient;
  readonly events: UploaderEvents;
  /** A remote id already known (registered by the constructor). */
  readonly remoteId?: string | undefined;
  /** Pause between cycles while the run is open. @default 5000 */
  readonly pauseMs?: number;
  /** Give up after this many failed attempts in a row. @default never (retry forever) */
  readonly maxAttempts?: number;
  /** The first retry's wait, doubled with each failure in a row. @default 500 */
  readonly retryBaseMs?: number;
}

export type UploadState = "uploading" | "finished" | "stopped";

export class RunUploader {
  readonly file: string;
  readonly identity: RunIdentity;
  remoteId: string | undefined;
  /** Items the API confirmed. */
  uploaded = 0;
  state: UploadState = "uploading";
  /** Whether it gave up because the API never answered (a network failure, not an HTTP error). */
  gaveUpUnanswered = false;
  readonly #api: ApiClient;
  readonly #events: UploaderEvents;
  readonly #reports: UploadReports;
  readonly #cycle = new UploadCycle();
  readonly #pauseMs: number;
  readonly #maxAttempts: number;
  /** Undefined: backoffMs's own base. */
  readonly #retryBaseMs: number | undefined;
  #db: Database | undefined;
  #closing = false;
  #wake: (() => void) | undefined;
  #attempt = 0;
  #lastHeartbeat = 0;
  #done: Promise<void> | undefined;

  constructor(options: UploaderOptions) {
    this.file = options.file;
    this.identity = options.identity;
    this.remoteId = options.remoteId;
    this.#api = options.api;
    this.#events = options.events;
    this.#reports = new UploadReports(this.file, this.identity, this.#api.baseUrl, this.#events);
    this.#pauseMs = options.pauseMs ?? CYCLE_PAUSE_MS;
    this.#maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
    this.#retryBaseMs = options.retryBaseMs;
  }

  /** Starts the loop (once); resolves when it ends. */
  start(): Promise<void> {
    this.#done ??= this.#loop();
    return this.#done;
  }

  /** Runs a cycle now instead of after the pause. */
  sync(): void {
    this.#wake?.();
  }

  /** From now on: upload what is left, send the final status, and stop. */
  finish(): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    return this.start();
  }

  /**
   * Stops at once (the rows stay in the file for `goodseed upload`): the request in
   * flight is abandoned; resolves when the loop has ended and let go of the file.
   */
  stop(): Promise<void> {
    this.state = this.state === "finished" ? "finished" : "stopped";
    this.#closing = true;
    this.#api.abort();
    this.#wake?.();
    return this.#done ?? Promise.resolve();
  }

  /** Rows still waiting (counted in the file; a connection opened for it is closed again). */
  pending(): number {
    const opened = this.#db === undefined;
    try {
      return countPending(this.#connection());
    } catch {
      return Number.NaN;
    } finally {
      if (opened) this.#close();
    }
  }

  #connection(): Database {
    if (!this.#db) {
      this.#db = new Database(this.file, { readwrite: true, create: false, strict: true });
      this.#db.run("PRAGMA busy_timeout=10000");
    }
    return this.#db;
  }

  #close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  async #loop(): Promise<void> {
    try {
      while (this.state === "uploading") {
        const cycleStart = performance.now();
        const outcome = await this.#upload();
        if (this.state !== "uploading") break;
        if (outcome.kind === "fatal") {
          this.#reports.stopped(outcome.message);
          this.state = "stopped";
          break;
        }
        if (outcome.kind === "retry") {
          if (this.#attempt + 1 >= this.#maxAttempts) {
            this.#reports.stopped(
              `gave up after ${this.#maxAttempts} attempts (${outcome.message})`,
            );
            this.gaveUpUnanswered = outcome.status === 0;
            this.state = "stopped";
            break;
          }
          const wait = Math.max(
            outcome.retryAfterMs ?? 0,
            backoffMs(this.#attempt++, 60_000, this.#retryBaseMs),
          );
          this.#reports.retrying(outcome.message, wait);
          await this.#pause(wait);
          continue;
        }
        this.#attempt = 0;
        this.#reports.recovered();
        const { more, sent } = outcome.body;
        // Finishing needs one cycle that found nothing: rows rewritten while a batch was in
        // flight are only seen by the next read.
        if (this.#closing && sent === 0) {
          await this.#sendStatus();
          this.state = "finished";
          break;
        }
        if (!this.#closing && Date.now() - this.#lastHeartbeat >= HEARTBEAT_MS) {
          this.#lastHeartbeat = Date.now();
          await sendHeartbeat(this.#api, this.remoteId as string);
        }
        if (!more) await this.#pause(this.#closing ? 0 : this.#pauseMs);
        // While the run is open, a backlog is worked off at most a third of the time, so the
        // upload never takes the CPU the training process needs; at close it goes flat out.
        else if (!this.#closing)
          await this.#pause(Math.max(50, 2 * (performance.now() - cycleStart)));
      }
    } catch (error) {
      this.#reports.stopped(
        `the upload stopped: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (this.state === "uploading") this.state = "stopped";
    } finally {
      this.#close();
    }
  }

  #pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /** Registers the run if it is not yet, then uploads one cycle. */
  async #upload(): Promise<Outcome<CycleResult>> {
    if (this.remoteId === undefined) {
      const registered = await registerRun(this.#api, this.identity);
      if (registered.kind !== "ok") return registered;
      this.remoteId = registered.body;
    }
    return this.#cycle.run(this.#api, this.#connection(), this.remoteId, (items) => {
      this.uploaded += items;
      this.#events.progress?.(this.uploaded);
    });
  }

  async #sendStatus(): Promise<void> {
    const { status, closedAt } = readEnding(this.#connection());
    await sendStatus(this.#api, this.remoteId as string, status, closedAt);
  }
}
