/**
 * An open writable run: its writer on the ring, its reads, its console capture and,
 * for a cloud run, its upload. `end` is the single close path of a run: `close`,
 * `withRun`, `await using`, `using`, the exit and signal handlers all take it.
 */

import { finishUpload, syncUpload, waitForUpload } from "../cloud/upload-client.ts";
import { StorageError } from "../errors.ts";
import type { RingProducer } from "../queue/ring-producer.ts";
import { nowIso } from "../values/time.ts";
import { detachRing } from "../writer/writer-client.ts";
import { checkStatus, type Endable, type Ending } from "./ending.ts";
import { FLUSH_TIMEOUT_MS, type LocalReads } from "./local-reads.ts";
import type { Logger } from "./options.ts";
import { trackRun, untrackRun } from "./process-hooks.ts";
import type { RunWriter } from "./run-writer.ts";
import { formatTraceback } from "./traceback.ts";

/** The upload of a cloud run, as the upload Worker knows it. */
export interface UploadHandle {
  readonly id: number;
  /** `workspace/project`, for the hint on how to finish an upload by hand. */
  readonly project: string;
}

export interface WriteSessionParts {
  readonly runId: string;
  readonly file: string;
  /** The monitoring namespace; `undefined` when nothing is monitored. */
  readonly namespace: string | undefined;
  readonly writer: RunWriter;
  readonly ring: RingProducer;
  /** The id the writer Worker knows the ring by. */
  readonly ringId: number;
  readonly reads: LocalReads;
  readonly upload: UploadHandle | undefined;
  readonly stopCapture: (() => void) | undefined;
  readonly captureTraceback: boolean;
  readonly logger: Logger;
  /** How long an ending waits for the upload when it does not say. */
  readonly uploadTimeoutMs: number;
}

export class WriteSession implements Endable {
  readonly kind = "write";
  readonly runId: string;
  readonly file: string;
  readonly namespace: string | undefined;
  readonly writer: RunWriter;
  readonly reads: LocalReads;
  readonly #ring: RingProducer;
  readonly #ringId: number;
  readonly #upload: UploadHandle | undefined;
  #stopCapture: (() => void) | undefined;
  readonly #captureTraceback: boolean;
  readonly #logger: Logger;
  readonly #uploadTimeoutMs: number;
  /** Set by the first `end`: settles when the upload has drained. */
  #ending: Promise<void> | undefined;

  constructor(parts: WriteSessionParts) {
    this.runId = parts.runId;
    this.file = parts.file;
    this.namespace = parts.namespace;
    this.writer = parts.writer;
    this.reads = parts.reads;
    this.#ring = parts.ring;
    this.#ringId = parts.ringId;
    this.#upload = parts.upload;
    this.#stopCapture = parts.stopCapture;
    this.#captureTraceback = parts.captureTraceback;
    this.#logger = parts.logger;
    this.#uploadTimeoutMs = parts.uploadTimeoutMs;
    trackRun(this);
  }

  /** Where the run goes: `cloud` when it is uploaded. */
  get where(): "local" | "cloud" {
    return this.#upload ? "cloud" : "local";
  }

  get ended(): boolean {
    return this.#ending !== undefined;
  }

  end(ending: Ending): Promise<void> {
    if (this.#ending) return this.#ending;
    checkStatus(ending.status);
    if (ending.error !== undefined) {
      try {
        this.#logTraceback(ending.error);
      } catch (error) {
        // a full disk: the close below reports it
        if (!(error instanceof StorageError)) throw error;
      }
    }
    const failure = this.#closeLocally(ending.status);
    const upload = this.#upload;
    if (failure) {
      this.#ending = Promise.reject(failure);
      // Every caller of end gets the rejection; none of them leaves it unhandled by accident.
      this.#ending.catch(() => {});
    } else {
      this.#ending = upload
        ? this.#finishUpload(upload, uploadBound(ending.uploadTimeoutMs ?? this.#uploadTimeoutMs))
        : Promise.resolve();
    }
    return this.#ending;
  }

  /** Starts an upload cycle of everything logged so far (cloud runs only). */
  sync(): void {
    if (!this.#upload || this.ended) return;
    this.reads.flushNow();
    syncUpload(this.#upload.id);
  }

  /** Waits until everything logged so far is uploaded (after `end`: until the upload drained). */
  async wait(timeoutMs: number | undefined): Promise<void> {
    if (!this.#upload) return;
    if (this.#ending) return this.#ending;
    await this.reads.later(() => undefined);
    await waitForUpload(this.#upload.id, timeoutMs);
  }

  /** Logs `error` as this run's traceback, if traceback capture is on. */
  #logTraceback(error: unknown): void {
    if (!this.#captureTraceback || !this.namespace) return;
    const path = `${this.namespace}/traceback`;
    this.writer.log(path, formatTraceback(error), { step: this.writer.nextStep(path) });
  }

  /**
   * The status, the last points and the checkpoint into one file, before this returns.
   * Returns the error when the file could not take them (a full disk): the file then
   * holds what was committed before, and the close still ends the run here.
   */
  #closeLocally(status: string): StorageError | undefined {
    this.#stopCapture?.();
    this.#stopCapture = undefined;
    const writer = this.writer;
    const closedAt = nowIso();
    let failure: StorageError | undefined;
    try {
      writer.meta("status", status);
      writer.meta("closed_at", closedAt);
      writer.configs([
        { path: "sys/state", tag: "str", text: status },
        { path: "sys/closed_time", tag: "str", text: closedAt },
      ]);
    } catch (error) {
      // The queue could not take them (the writer reports a persistent failure).
      if (!(error instanceof StorageError)) throw error;
      failure = error;
    }
    // Our read connection must be gone before the Worker's close, or the WAL files stay.
    this.reads.closed(true);
    try {
      writer.close();
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      failure ??= error;
    }
    const done = this.#ring.waitClosed(FLUSH_TIMEOUT_MS);
    detachRing(this.#ringId);
    untrackRun(this);
    failure ??= this.#ring.failure;
    if (failure) {
      const reported = new StorageError(
        `Run '${this.runId}' was closed without its last points and status: ${failure.message}`,
        { cause: failure },
      );
      this.#logger.error(reported.message);
      return reported;
    }
    if (!done) {
      this.#logger.error(
        `Run '${this.runId}' did not finish closing within ${FLUSH_TIMEOUT_MS / 1000} s; its file may be locked.`,
      );
    }
    return undefined;
  }

  async #finishUpload(upload: UploadHandle, timeoutMs: number | undefined): Promise<void> {
    const result = await finishUpload(upload.id, timeoutMs);
    if (result.remaining > 0 || Number.isNaN(result.remaining)) {
      const what = Number.isNaN(result.remaining) ? "Some items" : `${result.remaining} item(s)`;
      this.#logger.warn(
        `${what} of run '${this.runId}' are not uploaded yet. Finish with: goodseed upload -p ${upload.project} --run-id ${this.runId}`,
      );
    }
  }
}

/** A bound in ms for the upload Worker: `Infinity` (and anything not finite) means none. */
function uploadBound(timeoutMs: number): number | undefined {
  return Number.isFinite(timeoutMs) ? Math.max(0, timeoutMs) : undefined;
}
