/** The hover list of a chart: every line's value at, or nearest to, the cursor's x. */

import type uPlot from "uplot";
import type { Described } from "./chart-series.ts";
import { formatNumber, formatX } from "./chart-style.ts";
import type { XMode } from "./chart-traces.ts";
import { h } from "./dom.ts";

/**
 * Fills `tip` for the cursor's position on `plot`. uPlot finds, per series, the
 * nearest index where that series has a value, so a run that has no point at this
 * step shows its nearest one, with the step it was logged at.
 */
export function showTip(
  tip: HTMLElement,
  plot: uPlot,
  described: readonly Described[],
  mode: XMode,
  chartWidth: number,
): void {
  const index = plot.cursor.idx;
  if (index === null || index === undefined) {
    tip.hidden = true;
    return;
  }
  const x = plot.data[0][index] as number;
  const rows = described.flatMap((item, i) => {
    if (item.raw) return [];
    const at = plot.cursor.idxs?.[i + 1];
    const value = at === null || at === undefined ? undefined : plot.data[i + 1]?.[at];
    const pointX = at === null || at === undefined ? undefined : (plot.data[0][at] as number);
    return [
      h(
        "li",
        { title: item.line.title },
        h("span", { class: "swatch", style: `background:${item.color}` }),
        h("span", { class: "tip-label" }, item.label),
        h("span", { class: "tip-value" }, formatNumber(value)),
        pointX !== undefined && pointX !== x
          ? h("span", { class: "tip-at" }, ` @ ${formatX(pointX, mode)}`)
          : "",
      ),
    ];
  });
  tip.replaceChildren(h("p", {}, formatX(x, mode)), h("ul", {}, ...rows));
  // Many runs: two columns, so that all of them fit beside the cursor.
  tip.classList.toggle("many", rows.length > 12);
  tip.hidden = false;
  const left = plot.cursor.left ?? 0;
  tip.style.left = `${left > chartWidth / 2 ? Math.max(0, left + 40 - tip.offsetWidth) : left + 70}px`;
}
