/**
 * Waiting on a shared Int32Array cell with a deadline: the one loop behind every
 * "wait until the other thread says so" in the library (flush tokens, a run's close,
 * a blocking API call's reply). Waits in slices so a missed notify costs one slice.
 * Each loop is written once, as a generator that yields what to sleep on; `settle`
 * drives it blocking, `settleAsync` without blocking the event loop.
 */

/** How long one `Atomics.wait` may sleep before the cell is read again. */
const SLICE_MS = 50;

/** Runs a wait loop to its end, sleeping on each thing it yields and telling it what the sleep found. */
export function settle<Y, S, R>(loop: Generator<Y, R, S>, sleep: (what: Y) => S): R {
  let step = loop.next();
  while (!step.done) step = loop.next(sleep(step.value));
  return step.value;
}

/** As {@link settle}, with sleeps that are promises. */
export async function settleAsync<Y, S, R>(
  loop: Generator<Y, R, S>,
  sleep: (what: Y) => Promise<S>,
): Promise<R> {
  let step = loop.next();
  while (!step.done) step = loop.next(await sleep(step.value));
  return step.value;
}

/** A sleep on a cell: until it is no longer `seen`, for at most `ms`. */
interface CellSleep {
  readonly seen: number;
  readonly ms: number;
}

/** The loop of both waits: yields the sleeps, returns whether `done` came before the deadline. */
function* cellWait(
  cells: Int32Array,
  index: number,
  done: (value: number) => boolean,
  timeoutMs: number,
): Generator<CellSleep, boolean, unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(cells, index);
    if (done(seen)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    yield { seen, ms: Math.min(left, SLICE_MS) };
  }
}

/** Blocks until `done(cell value)`, or `timeoutMs` passed; returns whether it happened. */
export function waitForCell(
  cells: Int32Array,
  index: number,
  done: (value: number) => boolean,
  timeoutMs: number,
): boolean {
  return settle(cellWait(cells, index, done, timeoutMs), ({ seen, ms }) =>
    Atomics.wait(cells, index, seen, ms),
  );
}

/** As {@link waitForCell}, without blocking the event loop. */
export function waitForCellAsync(
  cells: Int32Array,
  index: number,
  done: (value: number) => boolean,
  timeoutMs: number,
): Promise<boolean> {
  return settleAsync(cellWait(cells, index, done, timeoutMs), async ({ seen, ms }) => {
    const result = Atomics.waitAsync(cells, index, seen, ms);
    if (result.async) await result.value;
  });
}
