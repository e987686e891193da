/**
 * One promise per animation frame, for work that should land in the same frame (the
 * charts whose points came in meanwhile draw together), and a wait for the page's
 * thread to be idle, for work that must not delay a frame.
 */

/** The coming frame: its promise, and what its callers read before any goes on. */
let frame: { readonly promise: Promise<void>; readonly measures: (() => void)[] } | undefined;

/**
 * Resolves in the next animation frame, the same promise for every caller until then;
 * or after 250 ms, since a hidden tab has no frames (and its live charts still grow).
 * `measure` runs in that frame before any caller goes on: what each caller reads of
 * the layout is read in one pass, where a read after another caller's change lays the
 * page out again (each of a board's charts reading its width after the one before drew).
 */
export function nextFrame(measure?: () => void): Promise<void> {
  if (!frame) {
    const measures: (() => void)[] = [];
    let fired = false;
    const promise = new Promise<void>((resolve) => {
      // The first of the two; the other does nothing.
      const done = () => {
        if (fired) return;
        fired = true;
        if (frame?.promise === promise) frame = undefined;
        try {
          for (const read of measures) read();
        } finally {
          resolve();
        }
      };
      requestAnimationFrame(done);
      setTimeout(done, 250);
    });
    frame = { promise, measures };
  }
  if (measure) frame.measures.push(measure);
  return frame.promise;
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
