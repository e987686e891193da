/**
 * The main thread's handle on the one writer Worker of the process: started on first
 * use, never keeping the process alive, shared by every run of the process.
 */

import type { FromWorker, ToWorker } from "./writer-protocol.ts";

type ErrorListener = (message: string) => void;

let worker: Worker | undefined;
let clock: Int32Array | undefined;
let nextId = 1;
const listeners = new Map<number, ErrorListener>();

function start(): Worker {
  const created = new Worker(new URL("./writer-worker.ts", import.meta.url).href);
  created.unref();
  created.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    listeners.get(message.id)?.(message.message);
  };
  const buffer = new SharedArrayBuffer(4);
  clock = new Int32Array(buffer);
  Atomics.store(clock, 0, Math.floor(Date.now() / 1000));
  created.postMessage({ type: "clock", clock: buffer } satisfies ToWorker);
  worker = created;
  return created;
}

/** The process-wide clock (whole seconds) that the Worker keeps current. */
export function sharedClock(): Int32Array {
  if (!clock) start();
  return clock as Int32Array;
}

/** Hands a run's ring to the Worker; returns the id its error reports carry. */
export function attachRing(file: string, ring: SharedArrayBuffer, onError: ErrorListener): number {
  const target = worker ?? start();
  const id = nextId++;
  listeners.set(id, onError);
  target.postMessage({ type: "attach", id, file, ring } satisfies ToWorker);
  return id;
}

/** Stops delivering error reports for a closed run. */
export function detachRing(id: number): void {
  listeners.delete(id);
}
