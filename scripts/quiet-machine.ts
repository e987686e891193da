/**
 * Waits for this machine's processors to go quiet, for benchmarks that time one thing
 * on a machine shared with others: a browser's new window, for example, loads
 * Chromium's own UI pages in a renderer of their own (about a second of CPU on this
 * 2-core machine), and a page navigated meanwhile would be timed competing with them.
 */

import { cpus } from "node:os";

/** Busy and total CPU milliseconds of all processors since boot. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

/**
 * Resolves once the processors were, over one `windowMs`, busy less than `busyShare`
 * of the time (all processors together), or after `deadlineMs` whatever the load;
 * answers how long it waited and whether the machine went quiet.
 */
export async function quietMachine({
  windowMs = 150,
  busyShare = 0.12,
  deadlineMs = 10_000,
} = {}): Promise<{ waitedMs: number; quiet: boolean }> {
  const started = performance.now();
  let before = cpuTimes();
  for (;;) {
    await Bun.sleep(windowMs);
    const now = cpuTimes();
    const total = now.total - before.total;
    const share = total > 0 ? (now.busy - before.busy) / total : 0;
    const waitedMs = performance.now() - started;
    if (share < busyShare) return { waitedMs, quiet: true };
    if (waitedMs > deadlineMs) return { waitedMs, quiet: false };
    before = now;
  }
}
