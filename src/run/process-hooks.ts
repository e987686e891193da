/**
 * Process-level safety net for open runs: when the program is done they close
 * `finished` (and their uploads drain); `process.exit()` closes them too (an exit
 * code other than 0: `failed`); an uncaught exception or unhandled rejection
 * logs its traceback and closes them `failed`; SIGINT and SIGTERM close them
 * `failed`, then the signal takes its usual effect. Installed while a run is open,
 * removed with the last one, so the process behaves as if goodseed were not there.
 */

import {
  recordOtherListeners,
  SignalSlot,
  signalState,
  unwatchSignals,
  type WatchedSignal,
  watchSignals,
} from "../writer/signal-watch.ts";
import type { Endable, Ending } from "./ending.ts";

/**
 * How long an ending the program did not ask for (its natural end, exit, a crash, a
 * signal) lets cloud uploads drain: where the process lives on (another signal
 * listener), a dead API must not hold it forever.
 */
const END_UPLOAD_TIMEOUT_MS = 60_000;

const openRuns = new Set<Endable>();
let installed = false;

/** Ends every open run through its single close path; one failing must not keep the others open. */
function endAll(ending: Ending): void {
  for (const run of [...openRuns]) {
    try {
      run.end({ uploadTimeoutMs: END_UPLOAD_TIMEOUT_MS, ...ending }).catch(() => {});
    } catch {
      // one run failing to close must not keep the others open
    }
  }
}

/** The event loop ran dry: close what is open, letting cloud uploads drain before the exit. */
function onBeforeExit(): void {
  endAll({ status: "finished" });
}

function onExit(code: number): void {
  endAll({ status: code === 0 ? "finished" : "failed" });
}

function onUncaught(error: unknown): void {
  endAll({ status: "failed", error });
}

function onRejection(reason: unknown): void {
  // Someone else handles rejections: the process lives on, and so do the runs.
  if (process.listenerCount("unhandledRejection") > 1) return;
  endAll({ status: "failed", error: reason });
  // With a listener installed the runtime would swallow the rejection; rethrowing
  // restores its default: report it and exit with code 1.
  throw reason;
}

function onSignal(signal: NodeJS.Signals): void {
  // Taken here: the writer Worker leaves the ending to this listener.
  Atomics.store(signalState(), SignalSlot.HANDLED, 1);
  const alone = process.listenerCount(signal) === 1;
  const interrupted = new Error(`Interrupted by ${signal}`);
  interrupted.stack = interrupted.message;
  endAll({ status: "failed", error: interrupted });
  uninstall();
  if (alone) process.kill(process.pid, signal);
}

const onSigint = (): void => onSignal("SIGINT");
const onSigterm = (): void => onSignal("SIGTERM");

/** Keeps the writer Worker told whether the program listens to the signals itself. */
function onNewListener(event: string | symbol, listener: unknown): void {
  // Fires before the listener is added.
  if (event === "SIGINT" || event === "SIGTERM") recordOthers(event, listener);
}

function onRemoveListener(event: string | symbol): void {
  // Fires after the listener is gone.
  if (event === "SIGINT" || event === "SIGTERM") recordOthers(event);
}

function recordOthers(signal: WatchedSignal, adding?: unknown): void {
  const ours = signal === "SIGINT" ? onSigint : onSigterm;
  const all: unknown[] = process.listeners(signal);
  if (adding !== undefined) all.push(adding);
  recordOtherListeners(signal, all.filter((listener) => listener !== ours).length);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
  process.on("uncaughtExceptionMonitor", onUncaught);
  process.on("unhandledRejection", onRejection);
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  // After the listeners: the native watch chains to the handler they installed.
  watchSignals();
  recordOthers("SIGINT");
  recordOthers("SIGTERM");
  process.on("newListener", onNewListener);
  process.on("removeListener", onRemoveListener);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("newListener", onNewListener);
  process.off("removeListener", onRemoveListener);
  // Before the listeners go: their handler must be back in place when they are removed.
  unwatchSignals();
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
  process.off("uncaughtExceptionMonitor", onUncaught);
  process.off("unhandledRejection", onRejection);
  process.off("SIGINT", onSigint);
  process.off("SIGTERM", onSigterm);
}

export function trackRun(run: Endable): void {
  openRuns.add(run);
  install();
}

export function untrackRun(run: Endable): void {
  openRuns.delete(run);
  if (openRuns.size === 0) uninstall();
}
