/**
 * Zooming and panning a chart from the keyboard, as dragging and double-clicking do
 * with the mouse: `+`/`=` zooms in, `-` out, the arrows pan, `0` or Escape resets;
 * Shift+arrows read the values, stepping the cursor along the x axis.
 */

import type uPlot from "uplot";
import { atLeastSpan } from "./chart-math.ts";

/**
 * What a key does to the x range [min, max]: a new range, a reset, or nothing. `+`
 * never narrows the range below `minSpan` (see minZoomSpan: a step axis stops at a few
 * steps), and does nothing once it is there, so that no view change is recorded.
 */
export function keyZoom(
  key: string,
  min: number,
  max: number,
  minSpan = 0,
): { from: number; to: number } | "reset" | undefined {
  const span = max - min;
  switch (key) {
    case "+":
    case "=":
      if (span <= minSpan) return undefined;
      return atLeastSpan({ from: min + span / 4, to: max - span / 4 }, minSpan);
    case "-":
      return { from: min - span / 2, to: max + span / 2 };
    case "ArrowLeft":
      return { from: min - span / 4, to: max - span / 4 };
    case "ArrowRight":
      return { from: min + span / 4, to: max + span / 4 };
    case "0":
    case "Escape":
      return "reset";
    default:
      return undefined;
  }
}

/**
 * Shift+arrows read the values from the keyboard: where the cursor goes, a hundredth of
 * the points along from where it is (the hover list follows it, as with a mouse).
 * Undefined when the plot has no points.
 */
export function readStep(
  plot: uPlot,
  direction: -1 | 1,
): { left: number; top: number } | undefined {
  const xs = plot.data[0];
  if (!xs || xs.length === 0) return undefined;
  const stride = Math.max(1, Math.round(xs.length / 100));
  const from = plot.cursor.idx ?? Math.floor(xs.length / 2) - direction * stride;
  const next = Math.min(xs.length - 1, Math.max(0, from + direction * stride));
  return { left: plot.valToPos(xs[next] as number, "x"), top: plot.over.clientHeight / 2 };
}
