/**
 * The hover list of a chart: every line's value at, or nearest to, the cursor's x,
 * highest first. It stays inside the chart: with more lines than the plot's height
 * holds, it shows those whose values are nearest the cursor's height, and says how
 * many more are above and below.
 */

import type uPlot from "uplot";
import type { Described } from "./chart-series.ts";
import { formatNumber, formatX } from "./chart-style.ts";
import type { XMode } from "./chart-traces.ts";
import { h } from "./dom.ts";

/** Pixels per row of the list (0.75rem text), and what its heading and padding take. */
const ROW_PX = 16;
const FRAME_PX = 28;

interface TipRow {
  item: Described;
  value: number | null | undefined;
  pointX: number | undefined;
}

/** Highest value first; points with no value (NaN, not logged) last, in line order. */
function byValue(a: TipRow, b: TipRow): number {
  const x = typeof a.value === "number" && !Number.isNaN(a.value) ? a.value : undefined;
  const y = typeof b.value === "number" && !Number.isNaN(b.value) ? b.value : undefined;
  if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
  return y - x;
}

/**
 * The rows to show of `count` sorted rows when `room` fit: all of them, or a window of
 * `room - 2` around `center` (the two others say how many are left out above and below).
 */
export function tipWindow(count: number, room: number, center: number): [number, number] {
  if (count <= room) return [0, count];
  const size = Math.max(1, room - 2);
  const start = Math.min(Math.max(0, center - Math.floor(size / 2)), count - size);
  return [start, start + size];
}

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
  const rows: TipRow[] = described.flatMap((item, i) => {
    if (item.raw) return [];
    const at = plot.cursor.idxs?.[i + 1];
    const value = at === null || at === undefined ? undefined : plot.data[i + 1]?.[at];
    const pointX = at === null || at === undefined ? undefined : (plot.data[0][at] as number);
    return [{ item, value, pointX }];
  });
  rows.sort(byValue);
  // The list hangs from its top inside the chart's figure: what is below is its room.
  const figure = tip.offsetParent instanceof HTMLElement ? tip.offsetParent : undefined;
  const below = (figure?.clientHeight ?? 260) - tip.offsetTop;
  const room = Math.max(3, Math.floor((below - FRAME_PX) / ROW_PX));
  const cursorValue = plot.posToVal(plot.cursor.top ?? 0, "y");
  let center = 0;
  rows.forEach((row, i) => {
    const best = rows[center]?.value;
    if (
      typeof row.value === "number" &&
      (typeof best !== "number" || Math.abs(row.value - cursorValue) < Math.abs(best - cursorValue))
    )
      center = i;
  });
  const [start, end] = tipWindow(rows.length, room, center);
  const more = (count: number, where: string) =>
    count > 0 ? h("li", { class: "tip-more" }, `+${count} more ${where}`) : "";
  const items = rows
    .slice(start, end)
    .map(({ item, value, pointX }) =>
      h(
        "li",
        { title: item.line.title },
        h("span", { class: "swatch", style: `background:${item.color}` }),
        h("span", { class: "tip-label" }, item.label),
        h("span", { class: "tip-value" }, formatNumber(value ?? undefined)),
        pointX !== undefined && pointX !== x
          ? h("span", { class: "tip-at" }, ` @ ${formatX(pointX, mode)}`)
          : "",
      ),
    );
  tip.replaceChildren(
    h("p", {}, formatX(x, mode)),
    h("ul", {}, more(start, "above"), ...items, more(rows.length - end, "below")),
  );
  tip.dataset.shown = String(items.length);
  tip.dataset.total = String(rows.length);
  tip.hidden = false;
  // Beside the cursor, on the side with more room, never past the chart's edges.
  const left = plot.cursor.left ?? 0;
  const width = tip.offsetWidth;
  const wanted = left > chartWidth / 2 ? left + 40 - width : left + 70;
  tip.style.left = `${Math.max(0, Math.min(wanted, chartWidth - width))}px`;
}
