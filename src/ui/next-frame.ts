/**
 * One promise per animation frame, for work that should land in the same frame (the
 * charts whose points came in meanwhile draw together), and a wait for the page's
 * thread to be idle, for work that must not delay a frame.
 */

let frame: Promise<void> | undefined;
/** What callers of the coming frame read from the page before any of them changes it. */
let measures: (() => void)[] = [];

/**
 * Resolves in the next animation frame, the same promise for every caller until then;
 * or after 250 ms, since a hidden tab has no frames (and its live charts still grow).
 * `measure` runs in that frame before any caller goes on: what each caller reads of
 * the layout is read in one pass, where a read after another caller's change lays the
 * page out again (each of a board's charts reading its width after the one before drew).
 */
export function nextFrame(measure?: () => void): Promise<void> {
  if (measure) measures.push(measure);
  if (frame) return frame;
  const next = new Promise<void>((resolve) => {
    const done = () => {
      // The first of the two; the other finds a newer frame's promise, or none.
      if (frame === next) frame = undefined;
      const reads = measures;
      measures = [];
      for (const read of reads) read();
      resolve();
    };
    requestAnimationFrame(done);
    setTimeout(done, 250);
  });
  frame = next;
  return next;
}

/**
 * Resolves once the page's thread is idle after its frames (`requestIdleCallback`), or
 * after `timeout` ms at the latest; where there is no such call, after the next frame.
 */
export function whenIdle(timeout = 500): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === "function")
      requestIdleCallback(() => resolve(), { timeout });
    else void nextFrame().then(() => setTimeout(resolve, 0));
  });
}
