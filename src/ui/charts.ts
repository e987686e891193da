/**
 * One chart: every compared run's line (or every group's mean and band), in the run's
 * own colour, over each run's whole range, with the min/max band of downsampled runs,
 * the raw line faint behind a smoothed one, and markers for NaN and ±Infinity.
 * Dragging zooms: the range is fetched again from the server until it is drawn point
 * for point (or as finely as the chart's width can show); the board keeps zoom, axis
 * and smoothing the same across charts. Charts are drawn when they scroll into view.
 */

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, type RunSummary } from "./api.ts";
import { type CsvPoint, chartPng, download, fileName, toCsv } from "./chart-export.ts";
import { groupLine, type Line, type RunGroup, traceLine } from "./chart-lines.ts";
import { alignLines, smooth } from "./chart-math.ts";
import type { ChartSpec } from "./chart-specs.ts";
import {
  drawMarkers,
  durationTicks,
  fillBand,
  formatNumber,
  formatX,
  type Marker,
  themeColor,
  ticks,
  xLabel,
} from "./chart-style.ts";
import {
  appendTrace,
  indexRange,
  type Trace,
  toTrace,
  traceXs,
  type XMode,
} from "./chart-traces.ts";
import { h } from "./dom.ts";
import { runKey } from "./view-state.ts";

/** What a chart asks of the board it is on. */
export interface ChartHost {
  colorOf(run: RunSummary): string;
  smoothing(): number;
  log(): boolean;
  /** This chart's x axis. */
  modeOf(spec: Pick<ChartSpec, "key" | "system">): XMode;
  /** The zoomed x range, when it is on this axis. */
  zoomOf(mode: XMode): { from: number; to: number } | undefined;
  /** The user zoomed this chart (undefined: back to the whole range). */
  zoomed(mode: XMode, range: { from: number; to: number } | undefined): void;
  /** The user picked an x axis for this chart alone. */
  setMode(spec: ChartSpec, mode: XMode | undefined): void;
  toggleEnlarged(spec: ChartSpec): void;
  groups(): readonly RunGroup[] | undefined;
}

/** The chart element, with what it last handed to uPlot (tests read it). */
export type ChartElement = HTMLElement & {
  plotData?: uPlot.AlignedData;
  plotLines?: { label: string; color: string; raw: boolean; stroke: string }[];
};

/** Whether a trace holds the points on both sides of the range. */
function covers(trace: Trace, mode: XMode, range: { from: number; to: number }): boolean {
  const xs = traceXs(trace, mode);
  return (
    xs.length > 0 && (xs[0] as number) <= range.from && (xs[xs.length - 1] as number) >= range.to
  );
}

/** Tick spacings of a step axis: 1, 2, 5 times powers of ten (short, distinct labels). */
const STEP_INCREMENTS = Array.from(
  { length: 19 * 3 },
  (_, i) => ([1, 2, 5][i % 3] as number) * 10 ** (Math.floor(i / 3) - 6),
);

/** How many refetches a zoom may take to reach the range's own points. */
const MAX_REFINES = 6;

export class MetricChart {
  readonly element: ChartElement;
  readonly spec: ChartSpec<RunSummary>;
  readonly #host: ChartHost;
  /** The whole series of each source, downsampled to the chart's width. */
  #overview: Trace<RunSummary>[] = [];
  /** The zoomed range of each source, when zoomed. */
  #zoomTraces: Trace<RunSummary>[] | undefined;
  #zoomKey = "";
  #generation = 0;
  #plot: uPlot | undefined;
  #lines: Line[] = [];
  #drawn = false;
  #hovered = false;
  readonly #body: HTMLElement;
  readonly #note: HTMLElement;
  readonly #tip: HTMLElement;
  readonly #modeSelect: HTMLSelectElement;

  constructor(spec: ChartSpec<RunSummary>, host: ChartHost) {
    this.spec = spec;
    this.#host = host;
    this.#body = h("div", { class: "plot" });
    this.#note = h("p", { class: "chart-note" });
    this.#tip = h("div", { class: "chart-tip", hidden: true });
    this.#modeSelect = h(
      "select",
      {
        class: "chart-x",
        "aria-label": `x axis of ${spec.title}`,
        onchange: (event: Event) => {
          const value = (event.target as HTMLSelectElement).value;
          host.setMode(spec, value === "" ? undefined : (value as XMode));
        },
      },
      h("option", { value: "" }, "x: as all"),
      h("option", { value: "step" }, "x: step"),
      h("option", { value: "relative" }, "x: relative time"),
      h("option", { value: "wall" }, "x: wall time"),
    );
    const button = (label: string, title: string, action: () => void) =>
      h("button", { type: "button", class: "chart-button", title, onclick: action }, label);
    this.element = h(
      "figure",
      {
        class: "chart",
        "data-path": spec.key,
        tabindex: 0,
        "aria-label": `Chart of ${spec.title}: + and - zoom, arrow keys pan, 0 resets`,
        onkeydown: (event: Event) => this.#key(event as KeyboardEvent),
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
          this.#modeSelect,
          button(
            "CSV",
            "Download every point of the series as CSV",
            () => void this.exportCsv(false),
          ),
          button(
            "CSV zoom",
            "Download the points of the zoomed range as CSV",
            () => void this.exportCsv(true),
          ),
          button("PNG", "Download the chart with its legend as PNG", () => void this.exportPng()),
          button("⤢", "Enlarge to full width (or back)", () => host.toggleEnlarged(spec)),
        ),
      ),
      this.#body,
      this.#tip,
      this.#note,
    ) as ChartElement;
  }

  get drawn(): boolean {
    return this.#drawn;
  }

  /** Points per request: one and a half per horizontal pixel. */
  #pointCount(): number {
    return Math.max(200, Math.min(4000, Math.round((this.#body.clientWidth || 800) * 1.5)));
  }

  /** Fetches the whole series of every source, then the zoomed range if any. */
  async draw(): Promise<void> {
    this.#drawn = true;
    const pointCount = this.#pointCount();
    const generation = ++this.#generation;
    const traces = await Promise.all(
      this.spec.sources.map(async (source) =>
        toTrace(
          source.run,
          source.path,
          this.#host.colorOf(source.run),
          await api.metrics(source.run, source.path, pointCount),
          pointCount,
        ),
      ),
    );
    if (generation !== this.#generation) return;
    this.#overview = traces;
    this.#zoomTraces = undefined;
    this.#zoomKey = "";
    await this.applyZoom();
  }

  /**
   * Follows the board's zoom: fetches each source's range, narrowing through finer and
   * finer answers until the range comes back point for point or cannot narrow further.
   */
  async applyZoom(): Promise<void> {
    if (!this.#drawn || this.#overview.length === 0) {
      if (this.#drawn) this.render();
      return;
    }
    const mode = this.#host.modeOf(this.spec);
    const range = this.#host.zoomOf(mode);
    const key = range ? `${mode}:${range.from}:${range.to}` : "";
    if (key === this.#zoomKey) {
      this.render();
      return;
    }
    if (!range) {
      this.#zoomKey = "";
      this.#zoomTraces = undefined;
      this.render();
      return;
    }
    const generation = ++this.#generation;
    const pointCount = this.#pointCount();
    // The view moves at once; the finer points follow.
    this.#plot?.setScale("x", { min: range.from, max: range.to });
    const previous = this.#zoomTraces;
    const traces = await Promise.all(
      this.#overview.map(async (whole, index) => {
        if (!whole.downsampled) return whole;
        // Zooming further in starts from the finer points already held.
        const held = previous?.[index];
        let current = held && covers(held, mode, range) ? held : whole;
        if (!current.downsampled) return current;
        for (let i = 0; i < MAX_REFINES; i++) {
          const wanted = indexRange(current, traceXs(current, mode), range.from, range.to);
          if (!wanted) return current;
          const has = {
            first: current.starts[0] as number,
            last: current.ends[current.ends.length - 1] as number,
          };
          if (current !== whole && wanted.first <= has.first && wanted.last >= has.last)
            return current;
          const series = await api.metrics(
            whole.run,
            whole.path,
            pointCount,
            wanted.first,
            wanted.last,
          );
          current = toTrace(whole.run, whole.path, whole.color, series, pointCount);
          if (!current.downsampled) return current;
        }
        return current;
      }),
    );
    if (generation !== this.#generation) return;
    this.#zoomTraces = traces;
    this.#zoomKey = key;
    this.render();
  }

  /** The lines to draw, from the traces on screen, grouped when the board groups runs. */
  #buildLines(mode: XMode): Line[] {
    const traces = this.#zoomTraces ?? this.#overview;
    const processes = new Map<string, number>();
    const lines = traces.map((trace, index) => {
      const process = this.spec.sources[index]?.process;
      let dashed = false;
      if (process) {
        const key = runKey(trace.run);
        const seen = processes.get(key) ?? 0;
        processes.set(key, seen + 1);
        dashed = seen % 2 === 1;
      }
      return traceLine(trace, mode, process, dashed);
    });
    const groups = this.#host.groups();
    if (!groups) return lines;
    return groups
      .map((group) => {
        const keys = new Set(group.keys);
        const members = lines.filter((_, index) => {
          const trace = traces[index] as Trace;
          return keys.has(runKey(trace.run));
        });
        return members.length > 0 ? groupLine(group, members) : undefined;
      })
      .filter((line): line is Line => line !== undefined);
  }

  /** Draws the traces on screen as the board's smoothing, scale and axis say. */
  render(): void {
    if (!this.#drawn) return;
    const mode = this.#host.modeOf(this.spec);
    this.#modeSelect.value = this.#host.modeOf(this.spec) === this.#defaultMode() ? "" : mode;
    const log = this.#host.log();
    const weight = this.#host.smoothing();
    const lines = this.#buildLines(mode);
    this.#lines = lines;
    const usable = (value: number): number | null =>
      Number.isFinite(value) && (!log || value > 0) ? value : null;
    const markers: Marker[] = [];
    const drawn: { xs: number[]; ys: (number | null)[] }[] = [];
    const described: { label: string; color: string; raw: boolean; line: Line }[] = [];
    for (const line of lines) {
      for (let i = 0; i < line.ys.length; i++) {
        const value = line.ys[i] as number;
        if (Number.isFinite(value)) continue;
        markers.push({
          x: line.xs[i] as number,
          kind: Number.isNaN(value) ? "nan" : value > 0 ? "+inf" : "-inf",
          color: line.color,
        });
      }
      if (weight > 0) {
        drawn.push({ xs: line.xs, ys: line.ys.map(usable) });
        described.push({ label: `${line.label} (raw)`, color: line.color, raw: true, line });
      }
      drawn.push({ xs: line.xs, ys: smooth(line.ys, weight, line.counts).map(usable) });
      described.push({ label: line.label, color: line.color, raw: false, line });
    }
    const data = alignLines(drawn) as uPlot.AlignedData;
    const grid = themeColor("--line", "#e1e3e0");
    const text = themeColor("--muted", "#6b6f72");
    const axis = { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } };
    const range = this.#host.zoomOf(mode);
    const options: uPlot.Options = {
      width: this.#body.clientWidth || 800,
      height: this.element.classList.contains("enlarged") ? 420 : 220,
      legend: { show: false },
      series: [
        { label: xLabel(mode) },
        ...described.map((item) => ({
          label: item.label,
          stroke: item.raw ? `${item.color}40` : item.color,
          width: item.raw ? 1 : 1.5,
          ...(item.line.dashed ? { dash: [6, 3] } : {}),
          points: { show: item.line.xs.length <= 2, size: 7, fill: item.color },
        })),
      ],
      scales: {
        x: {
          time: mode === "wall",
          ...(range ? { auto: false, range: [range.from, range.to] as uPlot.Range.MinMax } : {}),
        },
        y: { distr: log ? 3 : 1 },
      },
      axes: [
        {
          ...axis,
          label: xLabel(mode),
          labelSize: 18,
          space: 80,
          ...(mode === "wall" ? {} : { values: mode === "relative" ? durationTicks : ticks }),
          ...(mode === "step" ? { incrs: STEP_INCREMENTS } : {}),
        },
        {
          ...axis,
          size: 64,
          values: ticks,
          ...(this.spec.unit ? { label: this.spec.unit, labelSize: 18 } : {}),
        },
      ],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        sync: { key: `goodseed-${mode}`, setSeries: false },
      },
      hooks: {
        drawSeries: [
          (plot, seriesIndex) => {
            const item = described[seriesIndex - 1];
            if (item && !item.raw && item.line.band)
              fillBand(plot, item.line.xs, item.line.band, item.color, log);
          },
        ],
        draw: [(plot) => drawMarkers(plot, markers)],
        setSelect: [
          (plot) => {
            if (plot.select.width < 5) return;
            const from = plot.posToVal(plot.select.left, "x");
            const to = plot.posToVal(plot.select.left + plot.select.width, "x");
            plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            this.#host.zoomed(mode, { from, to });
          },
        ],
        setCursor: [(plot) => this.#showTip(plot, described, mode)],
      },
    };
    this.#plot?.destroy();
    this.#body.replaceChildren();
    const plot = new uPlot(options, data, this.#body);
    this.#plot = plot;
    plot.over.addEventListener("dblclick", () => this.#host.zoomed(mode, undefined));
    plot.over.addEventListener("mouseenter", () => {
      this.#hovered = true;
    });
    plot.over.addEventListener("mouseleave", () => {
      this.#hovered = false;
      this.#tip.hidden = true;
    });
    this.element.plotData = data;
    this.element.plotLines = described.map(({ label, color, raw }) => ({
      label,
      color,
      raw,
      stroke: raw ? `${color}40` : color,
    }));
    this.#describe(lines, markers);
  }

  #defaultMode(): XMode {
    return this.#host.modeOf({ ...this.spec, key: "" });
  }

  #describe(lines: Line[], markers: Marker[]): void {
    const traces = this.#zoomTraces ?? this.#overview;
    const total = this.#overview.reduce((sum, trace) => sum + trace.total, 0);
    const downsampled = traces.some((trace) => trace.downsampled);
    const counts = { nan: 0, "+inf": 0, "-inf": 0 };
    for (const marker of markers) counts[marker.kind]++;
    const flagged = Object.entries(counts)
      .filter(([, count]) => count > 0)
      .map(
        ([kind, count]) => `${count} ${kind === "nan" ? "NaN" : kind === "+inf" ? "+Inf" : "-Inf"}`,
      );
    const parts = [
      `${lines.length} line${lines.length === 1 ? "" : "s"}`,
      `${total.toLocaleString()} points${downsampled ? " (downsampled)" : ""}`,
      ...(flagged.length > 0 ? [`${flagged.join(", ")} marked`] : []),
      ...(this.#zoomTraces ? ["zoomed (double-click to reset)"] : []),
    ];
    this.#note.textContent = parts.join(" · ");
    const data = this.element.dataset;
    data.series = String(lines.length);
    data.points = String(traces.reduce((sum, trace) => sum + trace.steps.length, 0));
    data.total = String(total);
    data.zoomed = String(this.#zoomTraces !== undefined);
    data.downsampled = String(downsampled);
    data.markers = String(markers.length);
  }

  /** The hover list: every line's value at, or nearest to, the cursor's x. */
  #showTip(
    plot: uPlot,
    described: readonly { label: string; color: string; raw: boolean; line: Line }[],
    mode: XMode,
  ): void {
    const index = plot.cursor.idx;
    if (!this.#hovered || index === null || index === undefined) {
      this.#tip.hidden = true;
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
    this.#tip.replaceChildren(h("p", {}, formatX(x, mode)), h("ul", {}, ...rows));
    this.#tip.hidden = false;
    const left = plot.cursor.left ?? 0;
    const width = this.#body.clientWidth;
    this.#tip.style.left = `${left > width / 2 ? Math.max(0, left - 260) : left + 70}px`;
  }

  /** Zooms and pans from the keyboard, as dragging and double-clicking do with the mouse. */
  #key(event: KeyboardEvent): void {
    const scale = this.#plot?.scales.x;
    if (!scale || scale.min === undefined || scale.max === undefined) return;
    const mode = this.#host.modeOf(this.spec);
    // The board's zoom, not the plot's scale, which lags while a zoom is fetched.
    const zoom = this.#host.zoomOf(mode);
    const min = zoom?.from ?? scale.min;
    const max = zoom?.to ?? scale.max;
    const span = max - min;
    let range: [number, number] | undefined;
    if (event.key === "+" || event.key === "=") range = [min + span / 4, max - span / 4];
    else if (event.key === "-") range = [min - span / 2, max + span / 2];
    else if (event.key === "ArrowLeft") range = [min - span / 4, max - span / 4];
    else if (event.key === "ArrowRight") range = [min + span / 4, max + span / 4];
    else if (event.key === "0" || event.key === "Escape") {
      this.#host.zoomed(mode, undefined);
      event.preventDefault();
      return;
    }
    if (!range) return;
    event.preventDefault();
    this.#host.zoomed(mode, { from: range[0], to: range[1] });
  }

  /** Appends the points a running run logged since the last look. */
  async extend(): Promise<boolean> {
    if (!this.#drawn) return false;
    let grew = false;
    for (const trace of this.#overview) {
      if (trace.run.status !== "running") continue;
      const next = (trace.ends[trace.ends.length - 1] ?? -1) + 1;
      const pointCount = this.#pointCount();
      const series = await api.metrics(trace.run, trace.path, pointCount, next);
      if (series.totalCount <= trace.total && series.points.length === 0) continue;
      const added = toTrace(trace.run, trace.path, trace.color, series, pointCount);
      appendTrace(trace, added);
      grew = grew || added.steps.length > 0;
    }
    // Appended pages pile up at finer and finer resolution: past twice what the chart
    // can show, the whole series is fetched again, downsampled once.
    if (this.#overview.some((trace) => trace.steps.length > 2 * this.#pointCount()))
      await this.draw();
    else if (grew && !this.#zoomTraces) this.render();
    return grew;
  }

  /** Takes the latest summaries (statuses) of this chart's runs. */
  update(runs: readonly RunSummary[]): void {
    const latest = (run: RunSummary) =>
      runs.find((candidate) => runKey(candidate) === runKey(run)) ?? run;
    for (const source of this.spec.sources) source.run = latest(source.run);
    for (const trace of [...this.#overview, ...(this.#zoomTraces ?? [])])
      trace.run = latest(trace.run);
  }

  /** Every logged point of each source (or of the zoomed range), as CSV. */
  async exportCsv(zoomOnly: boolean): Promise<string> {
    const mode = this.#host.modeOf(this.spec);
    const range = zoomOnly ? this.#host.zoomOf(mode) : undefined;
    const points: CsvPoint[] = [];
    for (const [index, source] of this.spec.sources.entries()) {
      const whole = this.#overview[index];
      let first = 0;
      let last = (whole?.total ?? 0) - 1;
      if (range && whole) {
        const shown = this.#zoomTraces?.[index] ?? whole;
        const wanted = indexRange(shown, traceXs(shown, mode), range.from, range.to);
        if (!wanted) continue;
        first = wanted.first;
        last = wanted.last;
      }
      if (last < first) continue;
      const series = await api.metrics(source.run, source.path, last - first + 1, first, last);
      const xs =
        range && whole
          ? traceXs(toTrace(source.run, source.path, "", series, last - first + 1), mode)
          : [];
      series.points.forEach((point, i) => {
        const x = xs[i];
        if (range && x !== undefined && (x < range.from || x > range.to)) return;
        points.push({
          project: source.run.project,
          run: source.run.run_id,
          path: source.path,
          step: point.step,
          loggedAt: point.logged_at,
          value: typeof point.value === "number" ? point.value : Number(point.value),
        });
      });
    }
    const csv = toCsv(points);
    download(new Blob([csv], { type: "text/csv" }), fileName(this.spec.key, "csv"));
    return csv;
  }

  async exportPng(): Promise<Blob | undefined> {
    const canvas = this.#plot?.ctx.canvas;
    if (!canvas) return undefined;
    const blob = await chartPng(
      canvas,
      this.spec.unit ? `${this.spec.title} (${this.spec.unit})` : this.spec.title,
      this.#lines,
      themeColor("--bg", "#ffffff"),
      themeColor("--fg", "#1d2125"),
    );
    download(blob, fileName(this.spec.key, "png"));
    return blob;
  }

  destroy(): void {
    this.#generation++;
    this.#plot?.destroy();
  }
}
