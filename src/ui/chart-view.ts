/**
 * The charts' part of the URL, beside the table's (view-state.ts leaves keys it does
 * not know alone): smoothing, x axis (for all charts and per chart), the chart filter,
 * collapsed sections, the enlarged chart and the zoomed range. A change of view
 * (zoom, axis, enlarge, collapse) is a new history entry, so Back undoes it; typing
 * in the filter and moving the smoothing slider replace the entry instead.
 */

import type { XMode } from "./chart-traces.ts";
import { writeQuery } from "./url-query.ts";

export interface ChartView {
  /** EMA weight, 0 (off) to 0.99. */
  smoothing: number;
  /** The x axis of all charts. */
  x: XMode;
  /** Per chart: its own x axis. */
  chartX: Map<string, XMode>;
  filter: string;
  collapsed: Set<string>;
  /** The chart shown at full width, or "". */
  enlarged: string;
  /** The zoomed x range and the axis it is on; charts on other axes are not zoomed. */
  zoom: { mode: XMode; from: number; to: number } | undefined;
}

const MODES: readonly XMode[] = ["step", "relative", "wall"];

function mode(text: string | null | undefined): XMode | undefined {
  return MODES.find((candidate) => candidate === text);
}

export function readChartView(search = location.search): ChartView {
  const params = new URLSearchParams(search);
  const smoothing = Number(params.get("smooth") ?? 0);
  const chartX = new Map<string, XMode>();
  for (const item of (params.get("xc") ?? "").split(",")) {
    const at = item.lastIndexOf("~");
    const itemMode = mode(item.slice(at + 1));
    if (at > 0 && itemMode) chartX.set(item.slice(0, at), itemMode);
  }
  let zoom: ChartView["zoom"];
  const zoomParts = (params.get("zoom") ?? "").split("~");
  const zoomMode = mode(zoomParts[0]);
  const from = Number(zoomParts[1]);
  const to = Number(zoomParts[2]);
  if (
    zoomMode &&
    zoomParts.length === 3 &&
    Number.isFinite(from) &&
    Number.isFinite(to) &&
    from < to
  )
    zoom = { mode: zoomMode, from, to };
  return {
    smoothing: Number.isFinite(smoothing) ? Math.min(0.99, Math.max(0, smoothing)) : 0,
    x: mode(params.get("x")) ?? "step",
    chartX,
    filter: params.get("cf") ?? "",
    collapsed: new Set((params.get("collapse") ?? "").split(",").filter((name) => name !== "")),
    enlarged: params.get("big") ?? "",
    zoom,
  };
}

/** Saves the chart view in the URL: a new history entry when `push`. */
export function writeChartView(view: ChartView, push: boolean): void {
  const params = new URLSearchParams(location.search);
  const set = (key: string, value: string) => {
    if (value === "") params.delete(key);
    else params.set(key, value);
  };
  set("smooth", view.smoothing > 0 ? String(view.smoothing) : "");
  set("x", view.x === "step" ? "" : view.x);
  set("xc", [...view.chartX].map(([key, value]) => `${key}~${value}`).join(","));
  set("cf", view.filter);
  set("collapse", [...view.collapsed].join(","));
  set("big", view.enlarged);
  set("zoom", view.zoom ? `${view.zoom.mode}~${round(view.zoom.from)}~${round(view.zoom.to)}` : "");
  writeQuery(params, push);
}

/**
 * Enough digits for a zoom edge, not sixteen: 14 keep a wall-time edge (some 1.8e9
 * seconds) to a tenth of a millisecond; 10 rounded it to whole seconds, so a zoom
 * under a second wrote from = to and was lost on reload and Back.
 */
function round(value: number): string {
  return String(Number(value.toPrecision(14)));
}
