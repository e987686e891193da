/**
 * One promise per animation frame, for work that should land in the same frame (the
 * charts whose points came in meanwhile draw together), and a wait for the page's
 * thread to be idle, for work that must not delay a frame.
 */

let frame: Promise<void> | undefined;

/**
 * Resolves in the next animation frame, the same promise for every caller until then;
 * or after 250 ms, since a hidden tab has no frames (and its live charts still grow).
 */
export function nextFrame(): Promise<void> {
  if (frame) return frame;
  const next = new Promise<void>((resolve) => {
    const done = () => {
      // The first of the two; the other finds a newer frame's promise, or none.
      if (frame === next) frame = undefined;
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
