/**
 * Zooming and panning a chart from the keyboard, as dragging and double-clicking do
 * with the mouse: `+`/`=` zooms in, `-` out, the arrows pan, `0` or Escape resets.
 */

/** What a key does to the x range [min, max]: a new range, a reset, or nothing. */
export function keyZoom(
  key: string,
  min: number,
  max: number,
): { from: number; to: number } | "reset" | undefined {
  const span = max - min;
  switch (key) {
    case "+":
    case "=":
      return { from: min + span / 4, to: max - span / 4 };
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
