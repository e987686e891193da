/**
 * What the sink does about a commit that failed: when it retries, what the producer
 * is told (a full disk, an unwritable file), and when a person hears of it, so that a
 * failure that keeps recurring does not flood the logger.
 */

import { Failure } from "../queue/layout.ts";

const RETRY_DELAY_MS = 500;
/**
 * A file locked by another process is retried soon, and reported only once the lock
 * has lasted a while (each sink waits only briefly for a lock: the one writer Worker
 * serves every run of the process).
 */
const BUSY_RETRY_MS = 100;
const BUSY_REPORT_AFTER_MS = 5000;
/** A close waits this long for a persistent failure to clear before it gives up the last commit. */
const ABANDON_AFTER_MS = 1_000;
/** A failure that keeps recurring is reported again after this long. */
const REPORT_AGAIN_MS = 30_000;

function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_");
}

/** The Failure a commit error stands for, when retrying will not cure it soon. */
function persistentFailure(error: unknown): number {
  const code = sqliteCode(error);
  if (code === "SQLITE_FULL" || code === "ENOSPC") return Failure.DISK_FULL;
  if (
    code.startsWith("SQLITE_IOERR") ||
    code.startsWith("SQLITE_READONLY") ||
    code === "SQLITE_CANTOPEN"
  )
    return Failure.UNWRITABLE;
  return Failure.NONE;
}

/** The failures of one sink's commits, from the first failure of a spell to the next commit. */
export class CommitFailures {
  readonly #file: string;
  readonly #setFailure: (failure: number) => void;
  readonly #report: (message: string) => void;
  /** When the file was first found locked by another process, in this spell of failures. */
  #busySince: number | undefined;
  #busyReportedAt = 0;
  /** Since when commits fail with a persistent failure (a full disk), and when it was last reported. */
  #failingSince: number | undefined;
  #failureReportedAt = Number.NEGATIVE_INFINITY;

  /**
   * @param setFailure tells the producer which `Failure` the commits meet
   * @param report tells a person (the sink's `onError`)
   */
  constructor(
    file: string,
    setFailure: (failure: number) => void,
    report: (message: string) => void,
  ) {
    this.#file = file;
    this.#setFailure = setFailure;
    this.#report = report;
  }

  /** Whether a persistent failure has lasted long enough that a close gives up its last commit. */
  abandons(now: number): boolean {
    return this.#failingSince !== undefined && now - this.#failingSince >= ABANDON_AFTER_MS;
  }

  /** A commit succeeded: the spell of failures, if any, is over. */
  committed(): void {
    this.#busySince = undefined;
    if (this.#failingSince !== undefined) {
      this.#failingSince = undefined;
      this.#failureReportedAt = Number.NEGATIVE_INFINITY;
      this.#setFailure(Failure.NONE);
    }
  }

  /** A commit failed with `error` (and was rolled back): reports it when due; returns when to retry. */
  failed(error: unknown, now: number): number {
    if (isBusy(error)) {
      this.#busySince ??= now;
      const lockedMs = now - this.#busySince;
      if (lockedMs >= BUSY_REPORT_AFTER_MS && now - this.#busyReportedAt >= REPORT_AGAIN_MS) {
        this.#busyReportedAt = now;
        this.#report(
          `${this.#file} has been locked by another process for ${Math.round(lockedMs / 1000)} s; its points wait in memory and are written once the lock is released`,
        );
      }
      return now + BUSY_RETRY_MS;
    }
    const message = error instanceof Error ? error.message : String(error);
    const failure = persistentFailure(error);
    if (failure !== Failure.NONE) {
      this.#failingSince ??= now;
      this.#setFailure(failure);
      if (now - this.#failureReportedAt < REPORT_AGAIN_MS) return now + RETRY_DELAY_MS;
      this.#failureReportedAt = now;
    }
    this.#report(`writing ${this.#file} failed (${message}); retrying`);
    return now + RETRY_DELAY_MS;
  }
}
