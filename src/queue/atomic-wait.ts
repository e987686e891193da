/**
 * Waiting on a shared Int32Array cell with a deadline: the one loop behind every
 * "wait until the other thread says so" in the library (flush tokens, a run's close,
 * a blocking API call's reply). Waits in slices so a missed notify costs one slice.
 */

/** How long one `Atomics.wait` may sleep before the cell is read again. */
const SLICE_MS = 50;

/** Blocks until `done(cell value)`, or `timeoutMs` passed; returns whether it happened. */
export function waitForCell(
  cells: Int32Array,
  index: number,
  done: (value: number) => boolean,
  timeoutMs: number,
): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(cells, index);
    if (done(seen)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(cells, index, seen, Math.min(left, SLICE_MS));
  }
}

/** As {@link waitForCell}, without blocking the event loop. */
export async function waitForCellAsync(
  cells: Int32Array,
  index: number,
  done: (value: number) => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(cells, index);
    if (done(seen)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const result = Atomics.waitAsync(cells, index, seen, Math.min(left, SLICE_MS));
    if (result.async) await result.value;
  }
}
