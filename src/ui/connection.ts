/**
 * Whether the server answers: every API call reports here, and the banner listens. A
 * failed fetch (the server stopped, the network went) shows the banner; the next
 * answer clears it. No DOM here, so `api.ts` stays a plain client.
 */

type Listener = (down: Error | undefined) => void;

const listeners = new Set<Listener>();
let current: Error | undefined;

export function onConnection(listener: Listener): void {
  listeners.add(listener);
}

/** An answer came (any HTTP status: the server is there). */
export function reportReachable(): void {
  if (current === undefined) return;
  current = undefined;
  for (const listener of listeners) listener(undefined);
}

/** A request never got an answer. */
export function reportUnreachable(error: Error): void {
  current = error;
  for (const listener of listeners) listener(error);
}

/** How long a request that got no answer waits before it tries again by itself. */
const RETRY_MS = 3000;

/**
 * Resolves once the server answers again, or after the retry time, whichever is first:
 * a caller that waits here is often the one whose request would tell that the server
 * is back, so it must not wait for another request that may never come. When no
 * request has failed since the last answer it still waits a moment, so that a failure
 * that did not go through the API client cannot spin.
 */
export function reachable(retryMs = RETRY_MS): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      listeners.delete(listener);
      clearTimeout(timer);
      resolve();
    };
    const listener: Listener = (down) => {
      if (down === undefined) done();
    };
    const timer = setTimeout(done, current === undefined ? Math.min(250, retryMs) : retryMs);
    if (current !== undefined) listeners.add(listener);
  });
}

/** What a failed request says, for a person. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `error` is a request that got no answer (the server is away), not an error answer. */
export function isUnreachable(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    (current !== undefined || /fetch|network|load failed/i.test(error.message))
  );
}

/**
 * Runs `attempt`. When it fails because the server cannot be reached, `failed` is told
 * and it runs again once the server answers, for as long as `wanted()` says it is still
 * wanted; any other failure is told to `failed`, and that is all. While no other request
 * tells that the server is back, it tries again every `retryMs`.
 */
export async function untilReachable(
  attempt: () => Promise<void>,
  failed: (error: unknown, offline: boolean) => void,
  wanted: () => boolean,
  retryMs = RETRY_MS,
): Promise<void> {
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (!wanted()) return;
      const offline = isUnreachable(error);
      failed(error, offline);
      if (!offline) return;
      await reachable(retryMs);
      if (!wanted()) return;
    }
  }
}
