/**
 * Uploads one run file to the remote API, in the background, until told to finish:
 * registers the run, then in cycles sends configs, metric points and string points
 * that are not yet marked uploaded, and marks each batch only once the API confirmed
 * it. Network trouble, 429 and 5xx are retried forever with capped, jittered
 * exponential backoff (honouring Retry-After); 401, 403 and 404 are reported once and
 * stop the upload, leaving the rows for `goodseed upload`.
 */

import { Database } from "bun:sqlite";
import { pythonJsonString } from "../values/python-json.ts";
import { type ApiClient, backoffMs, type Outcome } from "./api-client.ts";
import { type RunIdentity, registerRun } from "./remote-run.ts";
import {
  configsBody,
  countPending,
  MAX_CONFIGS_PER_REQUEST,
  MAX_POINTS_PER_READ,
  markConfigs,
  markPoints,
  type PointKind,
  pointBodies,
  readConfigs,
  readPoints,
} from "./upload-batches.ts";

const CYCLE_PAUSE_MS = 5000;
const HEARTBEAT_MS = 15_000;
/** A failure that keeps being retried is reported again after this long. */
const RETRY_REPORT_MS = 30_000;
const STATUSES = new Set(["running", "finished", "failed"]);

export interface UploaderEvents {
  warn(message: string): void;
  error(message: string): void;
  /** Items confirmed by the API so far, after each batch. */
  progress?(uploaded: number): void;
}

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
  readonly #pauseMs: number;
  readonly #maxAttempts: number;
  /** Undefined: backoffMs's own base. */
  readonly #retryBaseMs: number | undefined;
  #retryReportedAt = Number.NEGATIVE_INFINITY;
  #db: Database | undefined;
  readonly #cursors: Record<PointKind, number> = { metric: 0, string: 0 };
  #closing = false;
  #wake: (() => void) | undefined;
  #attempt = 0;
  #lastHeartbeat = 0;
  #reported = false;
  #done: Promise<void> | undefined;

  constructor(options: UploaderOptions) {
    this.file = options.file;
    this.identity = options.identity;
    this.remoteId = options.remoteId;
    this.#api = options.api;
    this.#events = options.events;
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
        const outcome = await this.#cycle();
        if (this.state !== "uploading") break;
        if (outcome.kind === "fatal") {
          this.#report(outcome.message);
          this.state = "stopped";
          break;
        }
        if (outcome.kind === "retry") {
          if (this.#attempt + 1 >= this.#maxAttempts) {
            this.#report(`gave up after ${this.#maxAttempts} attempts (${outcome.message})`);
            this.gaveUpUnanswered = outcome.status === 0;
            this.state = "stopped";
            break;
          }
          const wait = Math.max(
            outcome.retryAfterMs ?? 0,
            backoffMs(this.#attempt++, 60_000, this.#retryBaseMs),
          );
          this.#reportRetry(outcome.message, wait);
          await this.#pause(wait);
          continue;
        }
        this.#attempt = 0;
        this.#retryReportedAt = Number.NEGATIVE_INFINITY;
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
          await this.#api.request(
            "POST",
            `/api/v1/runs/${encodeURIComponent(this.remoteId as string)}/heartbeat`,
          );
        }
        if (!more) await this.#pause(this.#closing ? 0 : this.#pauseMs);
        // While the run is open, a backlog is worked off at most a third of the time, so the
        // upload never takes the CPU the training process needs; at close it goes flat out.
        else if (!this.#closing)
          await this.#pause(Math.max(50, 2 * (performance.now() - cycleStart)));
      }
    } catch (error) {
      this.#report(`the upload stopped: ${error instanceof Error ? error.message : String(error)}`);
      if (this.state === "uploading") this.state = "stopped";
    } finally {
      this.#close();
    }
  }

  /** A failed attempt that will be retried: told at once, then at most every 30 s while it lasts. */
  #reportRetry(message: string, waitMs: number): void {
    const now = Date.now();
    if (now - this.#retryReportedAt < RETRY_REPORT_MS) return;
    this.#retryReportedAt = now;
    this.#events.warn(
      `Uploading run '${this.identity.runId}' to ${this.#api.baseUrl} failed (${message}); retrying in ${Math.max(1, Math.round(waitMs / 1000))} s. The data is safe in ${this.file}.`,
    );
  }

  #report(message: string): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#events.error(
      `Uploading run '${this.identity.runId}' to ${this.#api.baseUrl} failed: ${message}. The data stays in ${this.file}; finish later with: goodseed upload -p ${this.identity.project} --run-id ${this.identity.runId}`,
    );
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

  /** One cycle: how many items it sent, and whether a full read says more may be waiting. */
  async #cycle(): Promise<Outcome<{ more: boolean; sent: number }>> {
    if (this.remoteId === undefined) {
      const registered = await registerRun(this.#api, this.identity);
      if (registered.kind !== "ok") return registered;
      this.remoteId = registered.body;
    }
    const base = `/api/v1/runs/${encodeURIComponent(this.remoteId)}`;
    const db = this.#connection();
    let sent = 0;
    const configs = readConfigs(db);
    for (let start = 0; start < configs.length; start += MAX_CONFIGS_PER_REQUEST) {
      const rows = configs.slice(start, start + MAX_CONFIGS_PER_REQUEST);
      const answer = await this.#api.request("POST", `${base}/configs`, {
        body: configsBody(rows),
        gzip: true,
      });
      if (answer.kind !== "ok") return answer;
      markConfigs(db, rows);
      this.#count(rows.length);
      sent += rows.length;
    }
    let more = false;
    for (const kind of ["metric", "string"] as const) {
      const rows = readPoints(db, kind, this.#cursors[kind]);
      for (const batch of pointBodies(kind, rows)) {
        const answer = await this.#api.request("POST", `${base}/ingest`, {
          body: batch.body,
          gzip: true,
        });
        if (answer.kind !== "ok") return answer;
        markPoints(db, kind, batch.rows);
        this.#cursors[kind] = (batch.rows[batch.rows.length - 1] as { rowid: number }).rowid;
        this.#count(batch.rows.length);
        sent += batch.rows.length;
      }
      if (rows.length === MAX_POINTS_PER_READ) more = true;
    }
    return { kind: "ok", status: 200, body: { more, sent } };
  }

  #count(items: number): void {
    this.uploaded += items;
    this.#events.progress?.(this.uploaded);
  }

  async #sendStatus(): Promise<void> {
    const meta = new Map(
      this.#connection()
        .query<{ key: string; value: string | null }, []>(
          "SELECT key, value FROM run_meta WHERE key IN ('status', 'closed_at')",
        )
        .all()
        .map((row) => [row.key, row.value]),
    );
    const value = meta.get("status");
    const status = value && STATUSES.has(value) ? value : "finished";
    // The run's own closing time travels with its status (the Python client sends only the
    // status; its servers then use their clock), so the run list shows the same closed_at.
    const closedAt = meta.get("closed_at");
    const closed = closedAt ? `, "closed_at": ${pythonJsonString(closedAt)}` : "";
    await this.#api.request(
      "POST",
      `/api/v1/runs/${encodeURIComponent(this.remoteId as string)}/status`,
      {
        body: `{"status": "${status}"${closed}}`,
      },
    );
  }
}
