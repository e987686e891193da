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

/** Resolves once the server answers again (at once when no request has failed since it last did). */
export function reachable(): Promise<void> {
  if (current === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const listener: Listener = (down) => {
      if (down !== undefined) return;
      listeners.delete(listener);
      resolve();
    };
    listeners.add(listener);
  });
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
 * wanted; any other failure is told to `failed`, and that is all.
 */
export async function untilReachable(
  attempt: () => Promise<void>,
  failed: (error: unknown, offline: boolean) => void,
  wanted: () => boolean,
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
      await reachable();
      if (!wanted()) return;
    }
  }
}
