/**
 * The hover list of a chart: every line's value at, or nearest to, the cursor's x,
 * highest first, then the lines that ended before (or start after) the cursor, dimmed,
 * each with its last (first) value and where that was; a point logged as NaN or
 * ±Infinity says so. Every line is listed: many lines take smaller rows and columns
 * (read down, then across) inside the chart, and only past what the window can hold
 * does the list hang over what is below or above it.
 */

import type uPlot from "uplot";
import { nearestIndex, stepUnit } from "./chart-math.ts";
import type { Described } from "./chart-series.ts";
import { formatNumber } from "./chart-style.ts";
import type { XMode } from "./chart-traces.ts";
import { h } from "./dom.ts";
import {
  bucketSpacing,
  fadedNote,
  type PointPlace,
  placeNote,
  pointPlace,
  roundX,
  tipColumns,
  tipPlace,
  tipWindow,
  xHeading,
} from "./tip-text.ts";

/**
 * Pixels under which a column drops the notes of where a value was logged ("ended at
 * 2999", "@ 12608"), so that names stay readable: the value is that at, or nearest to,
 * the heading's x, rows of lines outside their range are faded, and the heading says so.
 */
const NOTED_COLUMN_PX = 260;
/** How near (pixels) the nearest point must be for the list to be that point's x. */
const SNAP_PX = 6;
/** Pixels between the list and the plot area's top edge, or the window's edges. */
const INSET_PX = 4;
/** A window this narrow or narrower is a phone's (see tipPlace's `narrow`). */
const PHONE_PX = 600;

interface TipRow {
  item: Described;
  value: number | null | undefined;
  /** The note beside the value when its point is not at the cursor's x. */
  note: string;
  /** Where the shown point is, seen from the cursor. */
  place: PointPlace;
}

/** The line ended before the cursor's x, or starts after it: its row is faded. */
function outside(row: TipRow): boolean {
  return row.place === "ended" || row.place === "before";
}

/**
 * Lines with a value at the cursor first, then those outside their range; each part
 * highest value first (+Infinity above all, -Infinity below), points with no value
 * (NaN, not logged) last, in line order.
 */
function byValue(a: TipRow, b: TipRow): number {
  if (outside(a) !== outside(b)) return outside(a) ? 1 : -1;
  const x = typeof a.value === "number" && !Number.isNaN(a.value) ? a.value : undefined;
  const y = typeof b.value === "number" && !Number.isNaN(b.value) ? b.value : undefined;
  if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
  return x > y ? -1 : x < y ? 1 : 0;
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
  const pixel = Math.abs(plot.posToVal(left + 1, "x") - plot.posToVal(left, "x"));
  const smoothed = described.some((item) => item.raw);
  // A downsampled bucket's x is the mean of its steps (12559.5): the heading rounds it
  // to what the points there tell apart, unless some line logged a point right there.
  let exact = false;
  let spacing: number | undefined = onPoint ? undefined : pixel;
  // Deep in a zoom a pixel spans a thousandth of a step: between logged whole steps
  // the heading says a whole step ("step 499763", not "step 499762.755").
  if (!onPoint && mode === "step" && pixel < 1)
    spacing = Math.max(stepUnit(described.map((item) => item.line)), pixel);
  const rows: TipRow[] = described.flatMap((item, i) => {
    if (item.raw) return [];
    const at = plot.cursor.idxs?.[i + 1];
    if (at === null || at === undefined) return [{ item, value: undefined, note: "", place: "at" }];
    let value = plot.data[i + 1]?.[at];
    const pointX = xs[at] as number;
    const line = item.line;
    const near = nearestIndex(line.xs, pointX);
    const own = line.xs[near] === pointX ? near : -1;
    // The drawn line breaks (null) where the run logged NaN or ±Infinity, and where a
    // log scale cannot show a value: the list says what was logged.
    if (value === null && own >= 0) {
      const logged = line.ys[own] as number;
      if (!Number.isFinite(logged) || !smoothed) value = logged;
    }
    // A group's mean is at its runs' steps (bucket means too): whole steps on a step axis.
    const ownSpacing =
      own < 0 || (line.group && mode !== "step") ? undefined : bucketSpacing(line, own);
    if (pointX === x) {
      if (ownSpacing === undefined) exact = true;
      else spacing = Math.min(spacing ?? ownSpacing, ownSpacing);
    }
    const where = pointPlace(pointX, x, line);
    const note = placeNote(where, roundX(pointX, ownSpacing), mode, x, line.live === true, pixel);
    return [{ item, value, note, place: where }];
  });
  rows.sort(byValue);
  // The list hangs from the top of the plot area, under the title and tools (which wrap
  // to a second line on a phone), and may reach down over the axis to the chart's foot.
  const figure = tip.parentElement;
  const over = plot.over.getBoundingClientRect();
  const box = figure?.getBoundingClientRect() ?? over;
  const frameWindow = figure?.ownerDocument.defaultView;
  const windowHeight = frameWindow?.innerHeight ?? box.bottom;
  const spot = tipPlace(rows.length, tipColumns(chartWidth - INSET_PX), {
    narrow: (frameWindow?.innerWidth ?? Number.POSITIVE_INFINITY) <= PHONE_PX,
    top: over.top - box.top + INSET_PX,
    foot: box.height - INSET_PX,
    windowTop: INSET_PX - box.top,
    windowFoot: windowHeight - box.top - INSET_PX,
  });
  const { layout } = spot;
  let [start, end] = [0, rows.length];
  if (spot.windowed) {
    const cursorValue = plot.posToVal(plot.cursor.top ?? 0, "y");
    let center = 0;
    rows.forEach((row, i) => {
      const best = rows[center]?.value;
      if (
        typeof row.value === "number" &&
        (typeof best !== "number" ||
          Math.abs(row.value - cursorValue) < Math.abs(best - cursorValue))
      )
        center = i;
    });
    [start, end] = tipWindow(rows.length, layout.rows * layout.columns, center);
  }
  const more = (count: number, where: string) =>
    count > 0 ? h("li", { class: "tip-more" }, `+${count} more ${where}`) : "";
  const shown = rows.slice(start, end);
  const noted = (chartWidth - INSET_PX) / layout.columns >= NOTED_COLUMN_PX;
  const items = shown.map((row) => {
    const { item, value, note } = row;
    const faded = outside(row);
    return h(
      "li",
      { title: item.line.title, class: faded ? "tip-outside" : "" },
      h("span", { class: "swatch", style: `background:${item.color}` }),
      h("span", { class: "tip-label" }, item.label),
      h("span", { class: "tip-value" }, formatNumber(value ?? undefined)),
      note && noted ? h("span", { class: "tip-at" }, note) : "",
    );
  });
  const heading = exact || mode !== "step" ? x : roundX(x, spacing);
  tip.replaceChildren(
    h(
      "p",
      {},
      xHeading(heading, mode, pixel),
      noted ? "" : fadedNote(shown.map((row) => row.place)),
    ),
    // Columns read down, then across (charts.css), as many rows each as the layout says.
    h(
      "ul",
      {
        class: layout.columns > 1 ? "columns" : undefined,
        style: layout.columns > 1 ? `--tip-rows:${layout.rows}` : undefined,
      },
      more(start, "above"),
      ...items,
      more(rows.length - end, "below"),
    ),
  );
  tip.classList.toggle("compact", layout.compact);
  tip.style.maxWidth = layout.columns > 1 ? `calc(100% - ${INSET_PX}px)` : "";
  tip.dataset.shown = String(items.length);
  tip.dataset.total = String(rows.length);
  tip.dataset.columns = String(layout.columns);
  tip.hidden = false;
  // Within its room, whatever the rows' real height; beside the cursor, on the side
  // with more room, never past the chart's edges.
  const height = tip.offsetHeight;
  const top = Math.max(Math.min(spot.top, spot.bottom - height), INSET_PX - box.top);
  tip.style.top = `${Math.round(top)}px`;
  const width = tip.offsetWidth;
  const wanted = left > chartWidth / 2 ? left + 40 - width : left + 70;
  tip.style.left = `${Math.max(0, Math.min(wanted, chartWidth - width))}px`;
}
