/**
 * The writer Worker: the only thread that writes run files. It drains every attached
 * run's ring into SQLite, keeps the shared clock current, and never waits for the
 * main thread, so logging is committed even while the main thread never yields.
 */

import { sampleGpus } from "../monitoring/gpu.ts";
import { CpuMeter, processTreeMemoryGb } from "../monitoring/host-usage.ts";
import { ringViews } from "../queue/layout.ts";
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

/** A hung GPU tool is killed after this long; its sample then has no GPU metrics. */
const GPU_TIMEOUT_MS = 5000;
/** The first hardware sample comes this soon after monitoring starts (CPU use needs an interval). */
const FIRST_SAMPLE_MS = 250;

const hardware = {
  meter: undefined as CpuMeter | undefined,
  nextAt: 0,
  /** The running GPU query, aborted when no run wants it any more (a hung tool must not outlive us). */
  gpuQuery: undefined as AbortController | undefined,
};

function stopOrphanedGpuQuery(): void {
  const wanted = [...sinks.values()].some((sink) => sink.hardwareInterval !== undefined);
  if (!wanted) hardware.gpuQuery?.abort();
}

/**
 * Samples CPU and memory for every run that wants hardware metrics, on their
 * interval; GPU metrics join the same step when the tool answers. A slow or hung
 * tool delays nothing else: no second query starts while one is running.
 */
function sampleHardware(now: number): void {
  let interval: number | undefined;
  for (const sink of sinks.values()) {
    const wanted = sink.hardwareInterval;
    if (wanted !== undefined) interval = Math.min(interval ?? wanted, wanted);
  }
  if (interval === undefined) {
    hardware.meter = undefined;
    return;
  }
  if (!hardware.meter) {
    hardware.meter = new CpuMeter();
    hardware.nextAt = now + Math.min(FIRST_SAMPLE_MS, interval);
    return;
  }
  if (now < hardware.nextAt) return;
  hardware.nextAt = now + interval;
  const base = { cpu: hardware.meter.sample(), memory: processTreeMemoryGb() };
  const targets = [...sinks.values()].filter((sink) => sink.hardwareInterval !== undefined);
  const steps = targets.map((sink) => sink.nextHardwareStep());
  targets.forEach((sink, index) => {
    sink.logHardware(steps[index] as number, base, now);
  });
  if (hardware.gpuQuery) return;
  const query = new AbortController();
  hardware.gpuQuery = query;
  void sampleGpus(GPU_TIMEOUT_MS, query.signal)
    .then((gpus) => {
      const at = performance.now();
      targets.forEach((sink, index) => {
        sink.logHardware(steps[index] as number, gpus, at);
      });
    })
    .catch(() => {})
    .finally(() => {
      if (hardware.gpuQuery === query) hardware.gpuQuery = undefined;
    });
}

function loop(): void {
  timer = undefined;
  const now = performance.now();
  if (clock) Atomics.store(clock, 0, Math.floor(Date.now() / 1000));
  if (pending.length > 0) openPending(now);
  sampleHardware(now);
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
