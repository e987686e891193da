/**
 * SIGINT and SIGTERM seen off the main thread. Bun runs a signal's JavaScript listeners
 * only when the main thread yields, and never delivers process signals to a Worker, so a
 * training loop that never yields would hold Ctrl-C until it ends. A small native
 * handler (compiled at run time with Bun's TinyCC) records the signal in shared memory
 * that the writer Worker watches, then chains to the handler it replaced (Bun's), so the
 * main thread's listeners still run when it yields. Where no compiler is available, the
 * watch is off and signals behave as before.
 */

import { cc, dlopen, ptr } from "bun:ffi";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Slots of the shared state. */
export const SignalSlot = {
  /** The number of the last signal seen (0: none). Written by the native handler. */
  PENDING: 0,
  /** 1 once the main thread's listener has taken the signal. */
  HANDLED: 1,
  /** How many listeners besides goodseed's the program has for SIGINT, and for SIGTERM. */
  OTHERS_SIGINT: 2,
  OTHERS_SIGTERM: 3,
} as const;

export const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;
export type WatchedSignal = keyof typeof SIGNAL_NUMBERS;

export function signalName(signo: number): WatchedSignal | undefined {
  if (signo === SIGNAL_NUMBERS.SIGINT) return "SIGINT";
  if (signo === SIGNAL_NUMBERS.SIGTERM) return "SIGTERM";
  return undefined;
}

// The struct layouts of Linux (glibc and musl) and macOS, so no system header is needed.
const SOURCE = `
#ifdef __APPLE__
struct gs_sigaction { void *handler; unsigned int mask; int flags; };
#define GS_SA_SIGINFO 0x40
#define GS_SA_RESTART 0x2
#else
struct gs_sigaction { void *handler; unsigned long mask[16]; int flags; void *restorer; };
#define GS_SA_SIGINFO 4
#define GS_SA_RESTART 0x10000000
#endif
int sigaction(int, const struct gs_sigaction *, struct gs_sigaction *);
int kill(int, int);
int getpid(void);
typedef void (*gs_handler)(int);
typedef void (*gs_action)(int, void *, void *);
static volatile int *gs_state = 0;
static struct gs_sigaction gs_old[32];
static int gs_installed[32];
static void gs_on_signal(int sig, void *info, void *context) {
  if (gs_state) gs_state[0] = sig;
  void *previous = gs_old[sig].handler;
  if (previous == (void *)1) return;
  if (previous == (void *)0) {
    /* Nobody else handles it: the default action, as if we were not there. */
    sigaction(sig, &gs_old[sig], 0);
    kill(getpid(), sig);
    return;
  }
  if (gs_old[sig].flags & GS_SA_SIGINFO) ((gs_action)previous)(sig, info, context);
  else ((gs_handler)previous)(sig);
}
int gs_install(int sig, void *state) {
  struct gs_sigaction current;
  gs_state = (volatile int *)state;
  if (sig <= 0 || sig >= 32) return -1;
  if (sigaction(sig, 0, &current) != 0) return -1;
  if (current.handler == (void *)gs_on_signal) return 0;
  struct gs_sigaction mine = {0};
  mine.handler = (void *)gs_on_signal;
  mine.flags = GS_SA_SIGINFO | GS_SA_RESTART;
  if (sigaction(sig, &mine, &gs_old[sig]) != 0) return -1;
  gs_installed[sig] = 1;
  return 0;
}
int gs_uninstall(int sig) {
  struct gs_sigaction current;
  if (sig <= 0 || sig >= 32 || !gs_installed[sig]) return 0;
  gs_installed[sig] = 0;
  if (sigaction(sig, 0, &current) != 0) return -1;
  if (current.handler != (void *)gs_on_signal) return 0;
  return sigaction(sig, &gs_old[sig], 0);
}
`;

interface NativeWatch {
  install(sig: number, state: number): number;
  uninstall(sig: number): number;
}

let native: NativeWatch | null | undefined;
let state: Int32Array | undefined;

function compile(): NativeWatch | null {
  if (process.platform === "win32") return null;
  const file = join(tmpdir(), `goodseed-signal-watch-${process.pid}.c`);
  try {
    writeFileSync(file, SOURCE);
    const { symbols } = cc({
      source: file,
      symbols: {
        gs_install: { args: ["int", "ptr"], returns: "int" },
        gs_uninstall: { args: ["int"], returns: "int" },
      },
    });
    return {
      install: (sig, at) =>
        symbols.gs_install(sig, at as unknown as Parameters<typeof symbols.gs_install>[1]),
      uninstall: (sig) => symbols.gs_uninstall(sig),
    };
  } catch {
    return null;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The shared state the native handler writes and the writer Worker reads (one per process). */
export function signalState(): Int32Array {
  state ??= new Int32Array(new SharedArrayBuffer(16));
  return state;
}

/**
 * Installs the native handler in front of the current one for SIGINT and SIGTERM (call
 * it right after adding the JavaScript listeners). Returns whether the watch is on.
 */
export function watchSignals(): boolean {
  native ??= compile();
  if (!native) return false;
  const shared = signalState();
  Atomics.store(shared, SignalSlot.PENDING, 0);
  Atomics.store(shared, SignalSlot.HANDLED, 0);
  const at = ptr(shared);
  let ok = true;
  for (const signo of Object.values(SIGNAL_NUMBERS)) ok = native.install(signo, at) === 0 && ok;
  return ok;
}

/** Puts back the handlers `watchSignals` replaced (call it before removing the listeners). */
export function unwatchSignals(): void {
  if (!native) return;
  for (const signo of Object.values(SIGNAL_NUMBERS)) native.uninstall(signo);
}

/** Records how many listeners the program has besides goodseed's, for the Worker. */
export function recordOtherListeners(signal: WatchedSignal, count: number): void {
  const slot = signal === "SIGINT" ? SignalSlot.OTHERS_SIGINT : SignalSlot.OTHERS_SIGTERM;
  Atomics.store(signalState(), slot, Math.max(0, count));
}

/**
 * Ends the process by `signo` with its default action, from any thread: the handlers
 * are reset first, so neither Bun nor goodseed can hold it.
 */
export function dieBySignal(signo: number): void {
  const libc = dlopen(process.platform === "darwin" ? "libc.dylib" : "libc.so.6", {
    signal: { args: ["int", "ptr"], returns: "ptr" },
    kill: { args: ["int", "int"], returns: "int" },
  });
  libc.symbols.signal(signo, null);
  libc.symbols.kill(process.pid, signo);
}
