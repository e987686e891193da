/** How a run ends: the one description that every way of closing a run hands to its session. */

import { InvalidValueError } from "../errors.ts";

export interface Ending {
  /** The run's final `sys/state`, such as `finished` or `failed`. */
  readonly status: string;
  /** Logged as the run's traceback (when traceback capture is on) before it closes. */
  readonly error?: unknown;
  /** How long the ending waits for a cloud run's upload to drain. @default the session's bound (a minute) */
  readonly uploadTimeoutMs?: number | undefined;
}

/** A session that can be ended; ending twice returns the first ending's promise. */
export interface Endable {
  /** Whether `end` has run. */
  readonly ended: boolean;
  /**
   * Ends the session: all local work is done before this returns; the promise settles
   * when the upload (if any) has drained or its timeout passed.
   */
  end(ending: Ending): Promise<void>;
}

export function checkStatus(status: unknown): asserts status is string {
  if (typeof status !== "string" || status === "") {
    throw new InvalidValueError(
      "close(status) takes a non-empty string such as 'finished' or 'failed'.",
    );
  }
}

/** `Run`'s internal entry to the close path, for `withRun` (not exported from the package). */
export const endRun: unique symbol = Symbol("goodseed.endRun");
