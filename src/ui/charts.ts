/**
 * One chart: every compared run's line (or every group's mean and band), in the run's
 * own colour, over each run's whole range, with the min/max band of downsampled runs
 * (of up to ten runs: MAX_FULL_LINES), the raw line faint behind a smoothed one, and
 * markers for NaN and ±Infinity.
 * Dragging zooms: the range is fetched again from the server until it is drawn point
 * for point (or as finely as the chart's width can show); the board keeps zoom, axis
 * and smoothing the same across charts. Charts are drawn when they scroll into view,
 * each with one request for all its runs.
 */

import type uPlot from "uplot";
import type { RunSummary } from "./api.ts";
import { chartCsv, extendTraces, overviewTraces } from "./chart-data.ts";
import { chartPng, fileName } from "./chart-export.ts";
import { chartFrame, describeChart } from "./chart-frame.ts";
import { keyZoom } from "./chart-keys.ts";
import { chartLines } from "./chart-line-set.ts";
import type { Line, RunGroup } from "./chart-lines.ts";
import { emaBefore, minZoomSpan, stepUnit } from "./chart-math.ts";
import { type Marker, plotSeries, strokeOf } from "./chart-series.ts";
import type { ChartSpec } from "./chart-specs.ts";
import { pngColors } from "./chart-style.ts";
import { ChartSurface } from "./chart-surface.ts";
import { pointsFor, type Trace, type XMode } from "./chart-traces.ts";
import { zoomedTraces } from "./chart-zoom.ts";
import { errorMessage, isUnreachable, untilReachable } from "./connection.ts";
import { nextFrame } from "./next-frame.ts";
import { download, downloadBlob } from "./save-file.ts";
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
  /** While run colours may still change: a first paint waits for it (the fetch does not). */
  colorsPending(): Promise<void> | undefined;
}

/** The chart element, with what it last handed to uPlot (tests read it). */
export type ChartElement = HTMLElement & {
  plotData?: uPlot.AlignedData;
  plotLines?: { label: string; color: string; raw: boolean; stroke: string }[];
};

export class MetricChart {
  readonly element: ChartElement;
  readonly spec: ChartSpec<RunSummary>;
  readonly #host: ChartHost;
  /** The whole series of each source, downsampled to the chart's width. */
  #overview: Trace<RunSummary>[] = [];
  /** The zoomed range of each source, when zoomed. */
  #zoomTraces: Trace<RunSummary>[] | undefined;
  #zoomKey = "";
  /** Counts fetches of the whole series and of zoomed ranges: only the latest one lands. */
  #drawGeneration = 0;
  #generation = 0;
  readonly #surface: ChartSurface;
  #lines: Line[] = [];
  #drawn = false;
  /**
   * The first overview has arrived. Until then there is nothing to draw: building a
   * plot of no points for every chart on screen (each time the board redraws as the
   * run list, colours and groups come in) cost some 100-200 ms of the page's main
   * thread before a 30-run board's first points, and was thrown away when they came.
   */
  #loaded = false;
  /** The body's width read in the frame a draw waited for, for that draw's render alone. */
  #frameWidth: number | undefined;
  #drawing: Promise<void> = Promise.resolve();
  /** Count the draws and the zooms asked for: one that failed is tried again only while it is the latest. */
  #drawAttempts = 0;
  #zoomAttempts = 0;
  readonly #body: HTMLElement;
  readonly #note: HTMLElement;
  readonly #modeSelect: HTMLSelectElement;

  constructor(spec: ChartSpec<RunSummary>, host: ChartHost) {
    this.spec = spec;
    this.#host = host;
    const frame = chartFrame(spec, {
      setMode: (mode) => host.setMode(spec, mode),
      exportCsv: (zoomOnly) =>
        void this.exportCsv(zoomOnly).catch((error: unknown) => {
          this.#note.textContent = isUnreachable(error)
            ? "The server cannot be reached: export the CSV again when it answers."
            : `Could not export the CSV: ${errorMessage(error)}`;
        }),
      exportPng: () => void this.exportPng(),
      toggleEnlarged: () => host.toggleEnlarged(spec),
      key: (event) => this.#key(event),
    });
    this.element = frame.figure as ChartElement;
    this.#body = frame.body;
    this.#note = frame.note;
    this.#surface = new ChartSurface(frame.figure, frame.body, frame.tip);
    this.#modeSelect = frame.modeSelect;
  }

  get drawn(): boolean {
    return this.#drawn;
  }

  #pointCount(zoomed = false): number {
    return pointsFor(this.#body.clientWidth || 800, this.spec.sources.length, zoomed);
  }

  /** The latest draw: resolves once its points are drawn. */
  get drawing(): Promise<void> {
    return this.#drawing;
  }

  /**
   * Fetches the whole series of every source, then the zoomed range if any. While the
   * server cannot be reached the chart says so, and draws once it answers again.
   */
  draw(): Promise<void> {
    const attempt = ++this.#drawAttempts;
    this.#drawing = untilReachable(
      () => this.#draw(),
      (error, offline) => this.#failed(error, offline),
      () => attempt === this.#drawAttempts,
    );
    return this.#drawing;
  }

  /** Says under the chart why it shows nothing new. */
  #failed(error: unknown, offline: boolean): void {
    this.element.dataset.error = offline ? "offline" : "failed";
    this.#note.textContent = offline
      ? "The server cannot be reached: this chart is drawn when it answers again."
      : `Could not draw this chart: ${errorMessage(error)}`;
  }

  async #draw(): Promise<void> {
    this.#drawn = true;
    const pointCount = this.#pointCount();
    const generation = ++this.#drawGeneration;
    // Every source in one request (`/api/series`): a chart of 30 runs is not 30
    // requests queued behind the browser's six connections.
    const [traces] = await Promise.all([
      overviewTraces(this.spec.sources, this.#host.colorOf, pointCount),
      this.#host.colorsPending(),
    ]);
    if (generation !== this.#drawGeneration) return;
    // Charts whose points came in the same frame draw together, in that frame: the
    // page's frames cost (a commit copies each drawn canvas), and a 30-run board drew
    // most of its charts in frames of their own.
    let width: number | undefined;
    await nextFrame(() => {
      width = this.#body.clientWidth;
    });
    if (generation !== this.#drawGeneration) return;
    this.#frameWidth = width;
    this.#overview = traces;
    this.#loaded = true;
    this.#zoomTraces = undefined;
    this.#zoomKey = "";
    await this.#applyZoom();
  }

  /**
   * Follows the board's zoom: fetches each source's range, narrowing through finer and
   * finer answers until the range comes back point for point or cannot narrow further.
   */
  applyZoom(): Promise<void> {
    const attempt = ++this.#zoomAttempts;
    return untilReachable(
      () => this.#applyZoom(),
      (error, offline) => this.#failed(error, offline),
      () => attempt === this.#zoomAttempts,
    );
  }

  async #applyZoom(): Promise<void> {
    if (!this.#drawn || this.#overview.length === 0) {
      if (this.#drawn) this.render();
      return;
    }
    const mode = this.#host.modeOf(this.spec);
    const range = this.#host.zoomOf(mode);
    const key = range ? `${mode}:${range.from}:${range.to}` : "";
    // A newer view wins over any range still being fetched.
    const generation = ++this.#generation;
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
    // Drawn after the zoomed points come, when the frame's width may be out of date.
    this.#frameWidth = undefined;
    const pointCount = this.#pointCount(true);
    // The view moves at once; the finer points follow.
    this.#surface.plot?.setScale("x", { min: range.from, max: range.to });
    const previous = this.#zoomTraces;
    const traces = await zoomedTraces(this.#overview, previous ?? [], mode, range, pointCount);
    if (generation !== this.#generation) return;
    this.#zoomTraces = traces;
    this.#zoomKey = key;
    this.render();
  }

  /** Draws the traces on screen as the board's smoothing, scale and axis say. */
  render(): void {
    if (!this.#drawn || !this.#loaded) return;
    const mode = this.#host.modeOf(this.spec);
    this.#modeSelect.value = this.#host.modeOf(this.spec) === this.#defaultMode() ? "" : mode;
    const log = this.#host.log();
    const weight = this.#host.smoothing();
    const linesOf = (traces: Trace<RunSummary>[]) =>
      chartLines(
        traces,
        this.spec.sources,
        mode,
        (run) => this.#host.colorOf(run),
        this.#host.groups(),
      );
    const lines = linesOf(this.#zoomTraces ?? this.#overview);
    this.#lines = lines;
    // Zoomed and smoothed, each line's average goes on from the overview's before the
    // range, so the smoothed line does not change as one zooms.
    const overview =
      this.#zoomTraces && weight > 0
        ? new Map(linesOf(this.#overview).map((line) => [line.key, line]))
        : undefined;
    const before = overview
      ? (line: Line) => {
          const whole = overview.get(line.key);
          const from = line.xs[0];
          return whole && from !== undefined
            ? emaBefore(whole.xs, whole.ys, whole.counts, weight, from)
            : undefined;
        }
      : undefined;
    const { data: columns, described, markers } = plotSeries(lines, weight, log, before);
    const data = columns as uPlot.AlignedData;
    const range = this.#host.zoomOf(mode);
    // The width read in this frame before any chart drew, where this render is the
    // draw that frame was awaited for; else read now.
    const width = (this.#frameWidth ?? this.#body.clientWidth) || 800;
    this.#frameWidth = undefined;
    const height = this.element.classList.contains("enlarged") ? 420 : 220;
    this.#surface.show({
      data,
      shown: { described, markers },
      mode,
      log,
      width,
      height,
      range,
      unit: this.spec.unit,
      zoomed: (zoom) => this.#host.zoomed(mode, zoom),
    });
    this.#published(data, lines);
  }

  /** Says what is drawn on the element: for tests, and the note under the chart. */
  #published(data: uPlot.AlignedData, lines: Line[]): void {
    const { described, markers } = this.#surface.shown;
    delete this.element.dataset.error;
    this.element.plotData = data;
    this.element.plotLines = described.map(({ label, color, raw }) => ({
      label,
      color,
      raw,
      stroke: strokeOf({ color, raw }),
    }));
    this.#describe(lines.length, markers);
  }

  /** The note under the chart and the figure's data attributes, from what it holds. */
  #describe(lines: number, markers: readonly Marker[]): void {
    // Zoomed, the points fetched reach one past each edge: only marks in view are counted.
    const range = this.#zoomTraces ? this.#host.zoomOf(this.#host.modeOf(this.spec)) : undefined;
    describeChart(
      { figure: this.element, note: this.#note },
      lines,
      range ? markers.filter((marker) => marker.x >= range.from && marker.x <= range.to) : markers,
      this.#overview,
      this.#zoomTraces,
    );
  }

  #defaultMode(): XMode {
    return this.#host.modeOf({ ...this.spec, key: "" });
  }

  /** Zooms and pans from the keyboard, as dragging and double-clicking do with the mouse. */
  #key(event: KeyboardEvent): void {
    if (event.shiftKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      if (event.target === this.element)
        this.#surface.stepCursor(event.key === "ArrowLeft" ? -1 : 1);
      event.preventDefault();
      return;
    }
    const scale = this.#surface.plot?.scales.x;
    if (!scale || scale.min === undefined || scale.max === undefined) return;
    const mode = this.#host.modeOf(this.spec);
    // The board's zoom, not the plot's scale, which lags while a zoom is fetched.
    const zoom = this.#host.zoomOf(mode);
    // `+` stops at a few steps (of the lines' step unit) or 5 ms: see minZoomSpan.
    const span = minZoomSpan(mode, mode === "step" ? stepUnit(this.#lines) : 1);
    const range = keyZoom(event.key, zoom?.from ?? scale.min, zoom?.to ?? scale.max, span);
    if (!range) return;
    event.preventDefault();
    this.#host.zoomed(mode, range === "reset" ? undefined : range);
  }

  /** Appends the points a running run logged since the last look. */
  async extend(): Promise<boolean> {
    if (!this.#drawn) return false;
    const grew = await extendTraces(this.#overview, this.#pointCount());
    // Appended pages pile up at finer and finer resolution: past twice what the chart
    // can show, the whole series is fetched again, downsampled once.
    if (this.#overview.some((trace) => trace.steps.length > 2 * this.#pointCount()))
      await this.draw();
    else if (grew && !this.#zoomTraces) this.render();
    // Zoomed, the view stays where it is; the note still counts what the run logged.
    else if (grew) this.#describe(this.#lines.length, this.#surface.shown.markers);
    return grew;
  }

  /** Draws again at the new width when the chart's box changed size (window, enlarging). */
  resized(): void {
    const plot = this.#surface.plot;
    if (this.#drawn && plot && plot.width !== (this.#body.clientWidth || 800)) this.render();
  }

  /** Takes the latest summaries (statuses) of this chart's runs. */
  update(runs: ReadonlyMap<string, RunSummary>): void {
    const latest = (run: RunSummary) => runs.get(runKey(run)) ?? run;
    for (const source of this.spec.sources) source.run = latest(source.run);
    for (const trace of [...this.#overview, ...(this.#zoomTraces ?? [])])
      trace.run = latest(trace.run);
  }

  /** Every logged point of each source (or of the zoomed range), as CSV. */
  async exportCsv(zoomOnly: boolean): Promise<string> {
    const mode = this.#host.modeOf(this.spec);
    const range = zoomOnly ? this.#host.zoomOf(mode) : undefined;
    const csv = await chartCsv(this.#overview, this.#zoomTraces, mode, range);
    download(fileName(this.spec.key, "csv"), csv, "text/csv");
    return csv;
  }

  async exportPng(): Promise<Blob | undefined> {
    const canvas = this.#surface.plot?.ctx.canvas;
    if (!canvas) return undefined;
    const title = this.spec.unit ? `${this.spec.title} (${this.spec.unit})` : this.spec.title;
    const blob = await chartPng(canvas, title, this.#lines, ...pngColors());
    downloadBlob(fileName(this.spec.key, "png"), blob);
    return blob;
  }

  destroy(): void {
    this.#generation++;
    this.#drawGeneration++;
    this.#drawAttempts++;
    this.#zoomAttempts++;
    this.#surface.destroy();
  }
}
