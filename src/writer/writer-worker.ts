/**
 * The writer Worker: the only thread that writes run files. It drains every attached
 * run's ring into SQLite, keeps the shared clock current, and never waits for the
 * main thread, so logging is committed even while the main thread never yields.
 */

import { HardwareSampler } from "../monitoring/hardware-sampler.ts";
import { ringViews } from "../queue/layout.ts";
import { nowSeconds } from "../values/time.ts";
import { RunSink } from "./run-sink.ts";
import { dieBySignal, SignalSlot, signalName } from "./signal-watch.ts";
import type { FromWorker, ToWorker } from "./writer-protocol.ts";

declare const self: Worker;

const IDLE_POLL_MS = 10;
const BUDGET = 8192;
const OPEN_RETRY_MS = 500;

interface PendingAttach {
  readonly id: number;
  readonly file: string;
  readonly ring: SharedArrayBuffer;
  retryAt: number;
}

const sinks = new Map<number, RunSink>();
const pending: PendingAttach[] = [];
let clock: Int32Array | undefined;
let signals: Int32Array | undefined;
/** When this Worker first saw a signal the main thread has not taken yet. */
let signalSeenAt: number | undefined;
/**
 * How long the main thread has to take a SIGINT or SIGTERM itself (its listener logs the
 * traceback and closes every run); past it, the main thread is not yielding and this
 * Worker ends the runs and the process instead.
 */
const SIGNAL_GRACE_MS = 1000;
let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function openPending(now: number): void {
  for (let i = pending.length - 1; i >= 0; i--) {
    const entry = pending[i] as PendingAttach;
    if (now < entry.retryAt) continue;
    try {
      const sink = new RunSink(entry.file, ringViews(entry.ring), {
        onError: (message) => post({ type: "error", id: entry.id, message }),
        onFinish: stopOrphanedGpuQuery,
      });
      sinks.set(entry.id, sink);
      pending.splice(i, 1);
    } catch (error) {
      entry.retryAt = now + OPEN_RETRY_MS;
      const message = error instanceof Error ? error.message : String(error);
      post({
        type: "error",
        id: entry.id,
        message: `opening ${entry.file} failed (${message}); retrying`,
      });
    }
  }
}

const hardware = new HardwareSampler();

function stopOrphanedGpuQuery(): void {
  hardware.release(sinks);
}

/**
 * A signal the main thread did not take within the grace period (it never yields):
 * every open run gets everything published to its ring, then status `failed` with the
 * signal as its traceback, and the process ends by the signal's default action. A
 * program with listeners of its own for the signal decides itself, when it yields.
 */
function checkSignal(now: number): void {
  if (!signals) return;
  const signo = Atomics.load(signals, SignalSlot.PENDING);
  const name = signalName(signo);
  if (name === undefined || Atomics.load(signals, SignalSlot.HANDLED) === 1) {
    signalSeenAt = undefined;
    return;
  }
  const others = name === "SIGINT" ? SignalSlot.OTHERS_SIGINT : SignalSlot.OTHERS_SIGTERM;
  if (Atomics.load(signals, others) > 0) return;
  signalSeenAt ??= now;
  if (now - signalSeenAt < SIGNAL_GRACE_MS) return;
  for (const sink of sinks.values()) {
    try {
      sink.interrupt(`Interrupted by ${name}`);
    } catch {
      // the signal ends the process whatever happened to one run's file
    }
  }
  dieBySignal(signo);
}

function loop(): void {
  timer = undefined;
  const now = performance.now();
  if (clock) Atomics.store(clock, 0, nowSeconds());
  checkSignal(now);
  if (pending.length > 0) openPending(now);
  hardware.sample(sinks, now);
  let busy = false;
  for (const [id, sink] of sinks) {
    if (sink.pump(BUDGET, now)) busy = true;
    if (sink.closed) sinks.delete(id);
  }
  if (sinks.size > 0 || pending.length > 0) schedule(busy ? 0 : IDLE_POLL_MS);
}

function schedule(delay: number): void {
  if (timer !== undefined) return;
  // setImmediate when busy: a zero-delay setTimeout may wait a millisecond per round.
  timer = delay === 0 ? setImmediate(loop) : setTimeout(loop, delay);
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "clock") {
    clock = new Int32Array(message.clock);
    signals = new Int32Array(message.signals);
    return;
  }
  pending.push({ id: message.id, file: message.file, ring: message.ring, retryAt: 0 });
  if (timer !== undefined) {
    clearTimeout(timer as ReturnType<typeof setTimeout>);
    clearImmediate(timer as ReturnType<typeof setImmediate>);
  }
  timer = undefined;
  schedule(0);
};
