import { describe, expect, it } from "bun:test";
import {
  FONT,
  fitText,
  NAME_BASELINE,
  PARALLEL,
  parallelLayout,
  TICK_DROP,
  textBox,
} from "../../../src/ui/sweep-layout.ts";

describe("parallelLayout", () => {
  it("keeps the axis titles clear of the top tick labels", () => {
    const title = textBox(NAME_BASELINE);
    const topTick = textBox(PARALLEL.top + TICK_DROP);
    expect(title.top).toBeGreaterThanOrEqual(0);
    expect(title.bottom + 4).toBeLessThanOrEqual(topTick.top);
  });

  it("spreads the axes across the width, one alone in the middle", () => {
    expect(parallelLayout(1).xs).toEqual([PARALLEL.width / 2]);
    const { xs } = parallelLayout(6);
    expect(xs[0]).toBe(PARALLEL.left);
    expect(xs[5]).toBe(PARALLEL.width - PARALLEL.right);
  });

  it("cuts titles and tick labels to the room between the axes", () => {
    for (const count of [2, 6, 13, 20]) {
      const layout = parallelLayout(count);
      const step = count > 1 ? (layout.xs[1] as number) - (layout.xs[0] as number) : 0;
      // Titles (bold, about 0.67 em a glyph) fit between their neighbours.
      expect(layout.nameChars * 0.67 * FONT).toBeLessThanOrEqual(Math.max(step, 3 * 0.67 * FONT));
      // The first axis's labels stay inside the drawing.
      expect((layout.tickChars[0] as number) * 0.6 * FONT).toBeLessThanOrEqual(PARALLEL.left);
      for (const chars of layout.tickChars.slice(1))
        expect(chars * 0.6 * FONT).toBeLessThanOrEqual(Math.max(step, 3 * 0.6 * FONT));
    }
    expect(parallelLayout(6).nameChars).toBe(14);
  });
});

describe("fitText", () => {
  it("cuts long text with an ellipsis and leaves short text alone", () => {
    expect(fitText("cosine_with_restarts", 8)).toBe("cosine_…");
    expect(fitText("sgd", 8)).toBe("sgd");
  });
});
