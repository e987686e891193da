/**
 * Waiting for a flush token to be committed: the Worker publishes the last token it
 * committed in a control cell. The wait looks at the Worker's failure between slices,
 * so that a full disk ends it with the error instead of the timeout.
 */

import { settle, settleAsync, waitForCell, waitForCellAsync } from "./atomic-wait.ts";
import { Ctrl } from "./layout.ts";
import type { WriterFailure } from "./writer-failure.ts";

/** How often a flush wait looks at the Worker's failure. */
const FAILURE_POLL_MS = 250;

/** Whether flush token `seen` is at or past `token` (tokens wrap around int32). */
function covers(seen: number, token: number): boolean {
  return ((seen - token) | 0) >= 0;
}

/** The loop of both waits: yields slices to wait for the token, is told whether it came. */
function* flushWait(
  failure: WriterFailure,
  timeoutMs: number,
): Generator<number, boolean, boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (yield Math.max(0, Math.min(left, FAILURE_POLL_MS))) return true;
    failure.check();
    if (left <= FAILURE_POLL_MS) return false;
  }
}

/**
 * Blocks until flush `token` is committed, or `timeoutMs` passes; returns whether it
 * was. Throws the failure the Worker reports once it has lasted the grace period.
 */
export function waitFlushed(
  ctrl: Int32Array,
  failure: WriterFailure,
  token: number,
  timeoutMs: number,
): boolean {
  return settle(flushWait(failure, timeoutMs), (sliceMs) =>
    waitForCell(ctrl, Ctrl.FLUSHED, (seen) => covers(seen, token), sliceMs),
  );
}

/** As {@link waitFlushed}, without blocking the event loop. */
export function flushedAsync(
  ctrl: Int32Array,
  failure: WriterFailure,
  token: number,
  timeoutMs: number,
): Promise<boolean> {
  return settleAsync(flushWait(failure, timeoutMs), (sliceMs) =>
    waitForCellAsync(ctrl, Ctrl.FLUSHED, (seen) => covers(seen, token), sliceMs),
  );
}
