/**
 * Where the parts of the parallel coordinates go, in the SVG's units: the axes, their
 * titles above the plot, their tick labels left of each axis, each cut to the room it
 * has, so that a category label never runs under an axis title ("sgd" under
 * "optimizer") nor into the next axis, and titles never into each other. Pure.
 */

/** The drawing's box and margins. */
export const PARALLEL = {
  width: 960,
  height: 300,
  /** Room above the plot for the axis titles, clear of the top tick labels. */
  top: 36,
  bottom: 34,
  /** Room left of the first axis for its tick labels. */
  left: 80,
  /** Room right of the last axis for half its title. */
  right: 64,
} as const;

/** The SVG's font size (style.css: `.sweep svg { font-size: 11px }`), in its units. */
export const FONT = 11;
/** Average advance of a glyph of the tick labels, and of the bold titles, in SVG units. */
const TICK_CHAR = 6.6;
const NAME_CHAR = 7.4;
/** How far a tick label sits below its tick (its baseline), and left of its axis. */
export const TICK_DROP = 4;
export const TICK_GAP = 5;
/** Baseline of the axis titles. */
export const NAME_BASELINE = 18;
/** Tick labels at most on an axis: 230 units of plot keep them 20 or more apart. */
export const MAX_TICKS = 10;
/** Longest labels and titles, however much room there is. */
const MAX_TICK_CHARS = 12;
const MAX_NAME_CHARS = 14;

/** A line of text's box above and below its baseline, in SVG units. */
export function textBox(baseline: number): { top: number; bottom: number } {
  return { top: baseline - FONT, bottom: baseline + 0.3 * FONT };
}

export interface ParallelLayout {
  /** The x of each axis. */
  readonly xs: readonly number[];
  /** Characters a title may have (centred on its axis). */
  readonly nameChars: number;
  /** Characters each axis's tick labels may have (right-aligned left of it). */
  readonly tickChars: readonly number[];
}

/** The layout of `count` axes across {@link PARALLEL}'s width. */
export function parallelLayout(count: number): ParallelLayout {
  const { width, left, right } = PARALLEL;
  if (count <= 0) return { xs: [], nameChars: MAX_NAME_CHARS, tickChars: [] };
  const step = count === 1 ? width : (width - left - right) / (count - 1);
  const xs = Array.from({ length: count }, (_, index) =>
    count === 1 ? width / 2 : left + index * step,
  );
  // A title is centred: it must fit between its neighbours and, at the ends, inside the box.
  const first = xs[0] as number;
  const last = xs[count - 1] as number;
  const nameRoom = Math.min(step - 8, 2 * first, 2 * (width - last));
  const nameChars = clampChars(nameRoom / NAME_CHAR, MAX_NAME_CHARS);
  // Tick labels run left from their axis, up to the previous axis (or the box's edge).
  const tickChars = xs.map((x, index) => {
    const room = (index === 0 ? x : step) - TICK_GAP - 6;
    return clampChars(room / TICK_CHAR, MAX_TICK_CHARS);
  });
  return { xs, nameChars, tickChars };
}

function clampChars(chars: number, max: number): number {
  return Math.max(3, Math.min(max, Math.floor(chars)));
}

/**
 * `text` cut to `chars` characters, the last one an ellipsis when cut.
 *
 * @example fitText("cosine_with_restarts", 8) // "cosine_…"
 */
export function fitText(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, Math.max(1, chars - 1))}…` : text;
}
