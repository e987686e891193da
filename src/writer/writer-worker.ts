/**
 * The writer Worker: the only thread that writes run files. It drains every attached
 * run's ring into SQLite, keeps the shared clock current, and never waits for the
 * main thread, so logging is committed even while the main thread never yields.
 */

import { HardwareSampler } from "../monitoring/hardware-sampler.ts";
import { ringViews } from "../queue/layout.ts";
import { nowSeconds } from "../values/time.ts";
import { RunSink } from "./run-sink.ts";
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

function loop(): void {
  timer = undefined;
  const now = performance.now();
  if (clock) Atomics.store(clock, 0, nowSeconds());
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
