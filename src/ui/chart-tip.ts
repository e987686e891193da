/**
 * The hover list of a chart: every line's value at, or nearest to, the cursor's x,
 * highest first, then the lines that ended before (or start after) the cursor, dimmed,
 * each with its last (first) value and where that was. It stays inside the plot area,
 * under the chart's tools: with more lines than the plot's height holds, it shows
 * those whose values are nearest the cursor's height, and says how many more are
 * above and below.
 */

import type uPlot from "uplot";
import type { Described } from "./chart-series.ts";
import { formatNumber } from "./chart-style.ts";
import type { XMode } from "./chart-traces.ts";
import { h } from "./dom.ts";
import { bucketSpacing, placeNote, pointPlace, roundX, xHeading } from "./tip-text.ts";

/** Pixels per row of the list (0.75rem text), and what its heading and padding take. */
const ROW_PX = 16;
const FRAME_PX = 28;
/** How near (pixels) the nearest point must be for the list to be that point's x. */
const SNAP_PX = 6;
/** Pixels between the list and the plot area's top edge. */
const INSET_PX = 4;

interface TipRow {
  item: Described;
  value: number | null | undefined;
  /** The note beside the value when its point is not at the cursor's x. */
  note: string;
  /** The line ended before the cursor's x, or starts after it. */
  outside: boolean;
}

/**
 * Lines with a value at the cursor first, then those outside their range; each part
 * highest value first, points with no value (NaN, not logged) last, in line order.
 */
function byValue(a: TipRow, b: TipRow): number {
  if (a.outside !== b.outside) return a.outside ? 1 : -1;
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
 * x shows its nearest one, with where it was logged; a run that ended before it shows
 * its last value, marked as ended.
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
  const xs = plot.data[0];
  // uPlot snaps the cursor to the nearest x any line has; in a gap between runs (on a
  // wall-clock axis, hours between two runs) that is far away: then the list is for the
  // cursor's own x, rounded to what a pixel spans.
  const left = plot.cursor.left ?? 0;
  const snapped = xs[index] as number;
  const onPoint = Math.abs(plot.valToPos(snapped, "x") - left) <= SNAP_PX;
  const x = onPoint ? snapped : plot.posToVal(left, "x");
  // A downsampled bucket's x is the mean of its steps (12559.5): the heading rounds it
  // to what the points there tell apart, unless some line logged a point right there.
  let exact = false;
  let spacing: number | undefined = onPoint
    ? undefined
    : Math.abs(plot.posToVal(left + 1, "x") - plot.posToVal(left, "x"));
  const rows: TipRow[] = described.flatMap((item, i) => {
    if (item.raw) return [];
    const at = plot.cursor.idxs?.[i + 1];
    if (at === null || at === undefined)
      return [{ item, value: undefined, note: "", outside: false }];
    const value = plot.data[i + 1]?.[at];
    const pointX = xs[at] as number;
    const own = item.line.xs.indexOf(pointX);
    const ownSpacing = own < 0 ? undefined : bucketSpacing(item.line, own);
    if (pointX === x) {
      if (ownSpacing === undefined) exact = true;
      else spacing = Math.min(spacing ?? ownSpacing, ownSpacing);
    }
    const place = pointPlace(pointX, x, item.line);
    const note = placeNote(place, roundX(pointX, ownSpacing), mode, x, item.line.live === true);
    return [{ item, value, note, outside: place === "ended" || place === "before" }];
  });
  rows.sort(byValue);
  // The list hangs from the top of the plot area, under the title and tools (which wrap
  // to a second line on a phone), and may reach down over the axis to the chart's foot.
  const figure = tip.parentElement;
  const over = plot.over.getBoundingClientRect();
  const box = figure?.getBoundingClientRect();
  const top = box ? over.top - box.top + INSET_PX : 0;
  tip.style.top = `${Math.round(top)}px`;
  const below = (box?.height ?? over.height) - top - INSET_PX;
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
    .map(({ item, value, note, outside }) =>
      h(
        "li",
        { title: item.line.title, class: outside ? "tip-outside" : "" },
        h("span", { class: "swatch", style: `background:${item.color}` }),
        h("span", { class: "tip-label" }, item.label),
        h("span", { class: "tip-value" }, formatNumber(value ?? undefined)),
        note ? h("span", { class: "tip-at" }, note) : "",
      ),
    );
  tip.replaceChildren(
    h("p", {}, xHeading(exact || mode !== "step" ? x : roundX(x, spacing), mode)),
    h("ul", {}, more(start, "above"), ...items, more(rows.length - end, "below")),
  );
  tip.dataset.shown = String(items.length);
  tip.dataset.total = String(rows.length);
  tip.hidden = false;
  // Beside the cursor, on the side with more room, never past the chart's edges.
  const width = tip.offsetWidth;
  const wanted = left > chartWidth / 2 ? left + 40 - width : left + 70;
  tip.style.left = `${Math.max(0, Math.min(wanted, chartWidth - width))}px`;
}
