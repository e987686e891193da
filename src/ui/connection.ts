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
