/**
 * The frame around a chart: its title (with unit), its tools (own x axis, CSV of the
 * whole series or the zoom, PNG, enlarge), the plot area, the hover list and the note
 * under it (points, downsampling, non-finite points, zoom).
 */

import type { Marker } from "./chart-series.ts";
import type { ChartSpec } from "./chart-specs.ts";
import type { Trace, XMode } from "./chart-traces.ts";
import { h } from "./dom.ts";

/** What the frame's tools do. */
export interface FrameActions {
  /** This chart's own x axis (undefined: the board's). */
  setMode(mode: XMode | undefined): void;
  exportCsv(zoomOnly: boolean): void;
  exportPng(): void;
  toggleEnlarged(): void;
  key(event: KeyboardEvent): void;
}

export interface ChartFrame {
  figure: HTMLElement;
  body: HTMLElement;
  note: HTMLElement;
  tip: HTMLElement;
  modeSelect: HTMLSelectElement;
}

export function chartFrame(spec: ChartSpec, actions: FrameActions): ChartFrame {
  const body = h("div", { class: "plot" });
  const note = h("p", { class: "chart-note" });
  const tip = h("div", { class: "chart-tip", hidden: true });
  const modeSelect = h(
    "select",
    {
      class: "chart-x",
      "aria-label": `x axis of ${spec.title}`,
      onchange: (event: Event) => {
        const value = (event.target as HTMLSelectElement).value;
        actions.setMode(value === "" ? undefined : (value as XMode));
      },
    },
    h("option", { value: "" }, "x: as all"),
    h("option", { value: "step" }, "x: step"),
    h("option", { value: "relative" }, "x: relative time"),
    h("option", { value: "wall" }, "x: wall time"),
  );
  const button = (label: string, title: string, action: () => void) =>
    h("button", { type: "button", class: "chart-button", title, onclick: action }, label);
  // Offered while the chart is zoomed (describeChart shows it).
  const zoomCsv = button("CSV zoom", "Download the points of the zoomed range as CSV", () =>
    actions.exportCsv(true),
  );
  zoomCsv.classList.add("csv-zoom");
  zoomCsv.hidden = true;
  const figure = h(
    "figure",
    {
      class: "chart",
      "data-path": spec.key,
      tabindex: 0,
      "aria-label": `Chart of ${spec.title}: + and - zoom, arrow keys pan, 0 resets, Shift+arrows read values`,
      onkeydown: (event: Event) => actions.key(event as KeyboardEvent),
    },
    h(
      "figcaption",
      {},
      h(
        "span",
        { class: "chart-title", title: spec.key },
        spec.unit ? `${spec.title} (${spec.unit})` : spec.title,
      ),
      h(
        "span",
        { class: "chart-tools" },
        modeSelect,
        button("CSV", "Download every point of the series as CSV", () => actions.exportCsv(false)),
        zoomCsv,
        button("PNG", "Download the chart with its legend as PNG", () => actions.exportPng()),
        button("⤢", "Enlarge to full width (or back)", () => actions.toggleEnlarged()),
      ),
    ),
    body,
    tip,
    note,
  );
  return { figure, body, note, tip, modeSelect };
}

/** The note under a chart: lines, points, downsampling, marked points, zoom. */
export function chartNote(
  lines: number,
  total: number,
  downsampled: boolean,
  markers: readonly Marker[],
  zoomed: boolean,
): string {
  const counts = { nan: 0, "+inf": 0, "-inf": 0 };
  for (const marker of markers) counts[marker.kind]++;
  const flagged = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(
      ([kind, count]) => `${count} ${kind === "nan" ? "NaN" : kind === "+inf" ? "+Inf" : "-Inf"}`,
    );
  return [
    `${lines} line${lines === 1 ? "" : "s"}`,
    `${total.toLocaleString()} point${total === 1 ? "" : "s"}${downsampled ? " (downsampled)" : ""}`,
    ...(flagged.length > 0 ? [`${flagged.join(", ")} marked`] : []),
    ...(zoomed ? ["zoomed (double-click to reset)"] : []),
  ].join(" · ");
}

/**
 * Says what a chart draws: the note under it, and on the figure (for tests and
 * scripts) lines, points drawn, points logged, zoom, downsampling and marked points.
 */
export function describeChart(
  frame: Pick<ChartFrame, "figure" | "note">,
  lines: number,
  markers: readonly Marker[],
  overview: readonly Trace[],
  zoomed: readonly Trace[] | undefined,
): void {
  const traces = zoomed ?? overview;
  const total = overview.reduce((sum, trace) => sum + trace.total, 0);
  const downsampled = traces.some((trace) => trace.downsampled);
  frame.note.textContent = chartNote(lines, total, downsampled, markers, zoomed !== undefined);
  const data = frame.figure.dataset;
  data.series = String(lines);
  data.points = String(traces.reduce((sum, trace) => sum + trace.steps.length, 0));
  data.total = String(total);
  data.zoomed = String(zoomed !== undefined);
  data.downsampled = String(downsampled);
  data.markers = String(markers.length);
  const zoomCsv = frame.figure.querySelector<HTMLButtonElement>(".csv-zoom");
  if (zoomCsv) zoomCsv.hidden = zoomed === undefined;
}
