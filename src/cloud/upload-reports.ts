/**
 * What a person hears of a run's upload going wrong: a failure that is retried is told
 * at once and then at most every 30 s while it lasts; one that stops the upload is told
 * once, with the command that finishes the upload later.
 */

import type { RunIdentity } from "./remote-run.ts";

/** A failure that keeps being retried is reported again after this long. */
const RETRY_REPORT_MS = 30_000;

export interface UploaderEvents {
  warn(message: string): void;
  error(message: string): void;
  /** Items confirmed by the API so far, after each batch. */
  progress?(uploaded: number): void;
}

export class UploadReports {
  readonly #file: string;
  readonly #identity: RunIdentity;
  readonly #baseUrl: string;
  readonly #events: UploaderEvents;
  #retryReportedAt = Number.NEGATIVE_INFINITY;
  #reported = false;

  constructor(file: string, identity: RunIdentity, baseUrl: string, events: UploaderEvents) {
    this.#file = file;
    this.#identity = identity;
    this.#baseUrl = baseUrl;
    this.#events = events;
  }

  /** A failed attempt that will be retried after `waitMs`. */
  retrying(message: string, waitMs: number): void {
    const now = Date.now();
    if (now - this.#retryReportedAt < RETRY_REPORT_MS) return;
    this.#retryReportedAt = now;
    this.#events.warn(
      `Uploading run '${this.#identity.runId}' to ${this.#baseUrl} failed (${message}); retrying in ${Math.max(1, Math.round(waitMs / 1000))} s. The data is safe in ${this.#file}.`,
    );
  }

  /** An attempt succeeded: the next failure is told at once. */
  recovered(): void {
    this.#retryReportedAt = Number.NEGATIVE_INFINITY;
  }

  /** The upload stops for good (the first such message only). */
  stopped(message: string): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#events.error(
      `Uploading run '${this.#identity.runId}' to ${this.#baseUrl} failed: ${message}. The data stays in ${this.#file}; finish later with: goodseed upload -p ${this.#identity.project} --run-id ${this.#identity.runId}`,
    );
  }
}
