/** `withRun`: a run scoped to a callback, closed `finished` or, if the callback throws, `failed`. */

import { endRun } from "./ending.ts";
import type { RunOptions } from "./options.ts";
import { Run } from "./run.ts";

/**
 * Creates a run, passes it to `body`, and closes it: `finished` when `body` returns,
 * `failed` with the error logged as the traceback when it throws (the error is then
 * rethrown). Either way the run is closed as `close` closes it, a cloud run's upload
 * drained, before the returned promise settles.
 *
 * @example
 * ```ts
 * await withRun({ project: "demo", storage: "local" }, async (run) => {
 *   run.log("loss", 0.5, { step: 0 });
 * });
 * ```
 */
export async function withRun<T>(
  options: RunOptions,
  body: (run: Run) => T | Promise<T>,
): Promise<T> {
  const run = new Run(options);
  let result: T;
  try {
    result = await body(run);
  } catch (error) {
    await run[endRun]({ status: "failed", error });
    throw error;
  }
  await run.close("finished");
  return result;
}
