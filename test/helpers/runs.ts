/** Runs in a temporary home, with capture that would touch the test runner's own output off. */

import { Run, type RunOptions } from "../../src/index.ts";

/** A run in `home` that captures nothing from the process: local unless `options` say otherwise. */
export function localRun(home: string, options: RunOptions = {}): Run {
  return new Run({
    storage: "local",
    goodseedHome: home,
    captureStdout: false,
    captureStderr: false,
    captureHardwareMetrics: false,
    gitRef: false,
    ...options,
  });
}

/** Catches what `action` throws (failing the test if it does not). */
export function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
}

export async function rejected(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}
