/**
 * The main thread's handle on the one writer Worker of the process: started on first
 * use, never keeping the process alive, shared by every run of the process.
 */

import { nowSeconds } from "../values/time.ts";
import { WorkerHandle } from "../workers/worker-handle.ts";
import { signalState } from "./signal-watch.ts";
import type { FromWorker, ToWorker } from "./writer-protocol.ts";

type ErrorListener = (message: string) => void;

let clock: Int32Array | undefined;
let nextId = 1;
const listeners = new Map<number, ErrorListener>();

const writer = new WorkerHandle<ToWorker, FromWorker>(
  new URL("./writer-worker.ts", import.meta.url).href,
  {
    message: (message) => listeners.get(message.id)?.(message.message),
    started(worker) {
      const buffer = new SharedArrayBuffer(4);
      clock = new Int32Array(buffer);
      Atomics.store(clock, 0, nowSeconds());
      const signals = signalState().buffer as SharedArrayBuffer;
      worker.postMessage({ type: "clock", clock: buffer, signals } satisfies ToWorker);
    },
  },
);

/** The process-wide clock (whole seconds) that the Worker keeps current. */
export function sharedClock(): Int32Array {
  if (!clock) writer.start();
  return clock as Int32Array;
}

/** Hands a run's ring to the Worker; returns the id its error reports carry. */
export function attachRing(file: string, ring: SharedArrayBuffer, onError: ErrorListener): number {
  const id = nextId++;
  listeners.set(id, onError);
  writer.post({ type: "attach", id, file, ring });
  return id;
}

/** Stops delivering error reports for a closed run. */
export function detachRing(id: number): void {
  listeners.delete(id);
}
