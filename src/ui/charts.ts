/**
 * One chart per metric path, each run a line in its own colour with its min/max
 * envelope where the server downsampled. Dragging zooms and refetches that step range
 * at full resolution (through firstPointIndex/lastPointIndex); double-click resets.
 * Charts are drawn when they scroll into view; running runs get only their new
 * points every few seconds.
 */

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, type RunSummary } from "./api.ts";
import { fillEnvelope, themeColor, ticks } from "./chart-style.ts";
import { type Trace, toTrace } from "./chart-traces.ts";
import { h, PALETTE } from "./dom.ts";
import { runKey } from "./view-state.ts";

export class MetricChart {
  readonly element: HTMLElement;
  readonly path: string;
  #runs: RunSummary[];
  /** What is drawn: the whole series, or the zoomed range at full resolution. */
  #traces: Trace[] = [];
  /** The whole series (downsampled), which maps steps to point indices for zooming. */
  #overview: Trace[] = [];
  #plot: uPlot | undefined;
  #log: boolean;
  #zoomed = false;
  #drawn = false;
  readonly #body: HTMLElement;
  readonly #note: HTMLElement;

  constructor(path: string, runs: RunSummary[], colors: Map<string, string>, log: boolean) {
    this.path = path;
    this.#runs = runs;
    this.#log = log;
    this.#body = h("div", { class: "plot" });
    this.#note = h("p", { class: "chart-note" });
    this.element = h(
      "figure",
      {
        class: "chart",
        "data-path": path,
        tabindex: 0,
        "aria-label": `Chart of ${path}: + and - zoom, arrow keys pan, 0 resets`,
        onkeydown: (event: Event) => this.#key(event as KeyboardEvent),
      },
      h("figcaption", {}, path),
      this.#body,
      this.#note,
    );
    this.#colors = colors;
  }

  readonly #colors: Map<string, string>;

  /** Points per request: about two per horizontal pixel. */
  #pointCount(): number {
    return Math.max(200, Math.min(4000, Math.round((this.#body.clientWidth || 800) * 1.5)));
  }

  async draw(): Promise<void> {
    this.#drawn = true;
    const pointCount = this.#pointCount();
    const traces = await Promise.all(
      this.#runs.map(async (run) =>
        toTrace(
          run,
          this.#colors.get(runKey(run)) ?? (PALETTE[0] as string),
          await api.metrics(run, this.path, pointCount),
          pointCount,
        ),
      ),
    );
    this.#overview = traces;
    if (!this.#zoomed) {
      this.#traces = traces;
      this.#render();
    }
  }

  get drawn(): boolean {
    return this.#drawn;
  }

  setLog(log: boolean): void {
    if (log === this.#log) return;
    this.#log = log;
    if (this.#drawn) this.#render();
  }

  #render(): void {
    const width = this.#body.clientWidth || 800;
    const traces = this.#traces;
    const tables = traces.map(
      (trace) => [trace.steps, trace.values, trace.mins, trace.maxs] as uPlot.AlignedData,
    );
    const joined = tables.length === 1 ? (tables[0] as uPlot.AlignedData) : uPlot.join(tables);
    const usable = (column: unknown) =>
      (column as (number | null | undefined)[]).map((v) =>
        v === null || v === undefined || !Number.isFinite(v) || (this.#log && v <= 0) ? null : v,
      );
    // uPlot draws the lines; the min/max envelopes are filled by the draw hook below.
    const data: uPlot.AlignedData = [
      joined[0] as number[],
      ...traces.map((_, index) => usable(joined[1 + index * 3])),
    ];
    const envelopes = traces.map((trace, index) =>
      trace.downsampled
        ? {
            color: trace.color,
            mins: usable(joined[2 + index * 3]),
            maxs: usable(joined[3 + index * 3]),
          }
        : undefined,
    );
    const grid = themeColor("--line", "#e1e3e0");
    const text = themeColor("--muted", "#6b6f72");
    const options: uPlot.Options = {
      width,
      height: 220,
      series: [
        { label: "step" },
        ...traces.map((trace) => ({
          label: trace.run.run_id,
          stroke: trace.color,
          width: 1.5,
          points: { show: false },
        })),
      ],
      scales: { x: { time: false }, y: { distr: this.#log ? 3 : 1 } },
      axes: [
        { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, values: ticks },
        { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, size: 64, values: ticks },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      hooks: {
        drawSeries: [
          (plot, seriesIndex) => {
            const envelope = envelopes[seriesIndex - 1];
            if (envelope) fillEnvelope(plot, data[0] as number[], envelope);
          },
        ],
        setSelect: [
          (plot) => {
            if (plot.select.width < 5) return;
            const from = plot.posToVal(plot.select.left, "x");
            const to = plot.posToVal(plot.select.left + plot.select.width, "x");
            void this.#zoom(from, to);
          },
        ],
      },
    };
    this.#plot?.destroy();
    this.#body.replaceChildren();
    this.#plot = new uPlot(options, data, this.#body);
    this.#plot.over.addEventListener("dblclick", () => this.#reset());
    const counts = traces.map(
      (trace) =>
        `${trace.run.run_id}: ${trace.total.toLocaleString()} points${trace.downsampled ? " (downsampled)" : ""}`,
    );
    this.#note.textContent = `${counts.join(" · ")}${this.#zoomed ? " · zoomed (double-click to reset)" : ""}`;
    this.element.dataset.series = String(traces.length);
    this.element.dataset.points = String(
      traces.reduce((sum, trace) => sum + trace.steps.length, 0),
    );
    this.element.dataset.total = String(traces.reduce((sum, trace) => sum + trace.total, 0));
    this.element.dataset.zoomed = String(this.#zoomed);
  }

  /** Zooms and pans from the keyboard, as dragging and double-clicking do with the mouse. */
  #key(event: KeyboardEvent): void {
    const scale = this.#plot?.scales.x;
    if (!scale || scale.min === undefined || scale.max === undefined) return;
    const { min, max } = scale;
    const span = max - min;
    let range: [number, number] | undefined;
    if (event.key === "+" || event.key === "=") range = [min + span / 4, max - span / 4];
    else if (event.key === "-") range = [min - span / 2, max + span / 2];
    else if (event.key === "ArrowLeft") range = [min - span / 4, max - span / 4];
    else if (event.key === "ArrowRight") range = [min + span / 4, max + span / 4];
    else if (event.key === "0" || event.key === "Escape") {
      if (this.#zoomed) this.#reset();
      event.preventDefault();
      return;
    }
    if (!range) return;
    event.preventDefault();
    void this.#zoom(range[0], range[1]);
  }

  /**
   * Fetches the step range [from, to] of every run at full resolution (or as finely as
   * pointCount allows): the overview says which point indices the range covers.
   */
  async #zoom(from: number, to: number): Promise<void> {
    const pointCount = this.#pointCount();
    const covered = this.#overview.map((trace) => {
      const steps = trace.steps;
      if (steps.length === 0) return undefined;
      if (from <= (steps[0] as number) && to >= (steps[steps.length - 1] as number))
        return undefined;
      // The last bucket at or before `from` and the first at or after `to` bound the range.
      let first = 0;
      while (first + 1 < steps.length && (steps[first + 1] as number) <= from) first++;
      let last = steps.length - 1;
      while (last > 0 && (steps[last - 1] as number) >= to) last--;
      return last < first
        ? undefined
        : { trace, first: trace.starts[first], last: trace.ends[last] };
    });
    if (covered.every((range) => range === undefined)) {
      this.#reset();
      return;
    }
    this.#zoomed = true;
    this.#traces = await Promise.all(
      covered.map(async (range, index) => {
        const whole = this.#overview[index] as Trace;
        if (!range) return whole;
        const series = await api.metrics(whole.run, this.path, pointCount, range.first, range.last);
        return toTrace(whole.run, whole.color, series, pointCount);
      }),
    );
    this.#render();
    this.#plot?.setScale("x", { min: from, max: to });
  }

  /** Back to the whole series, which live updates kept extending. */
  #reset(): void {
    this.#zoomed = false;
    this.#traces = this.#overview;
    this.#render();
  }

  /** Appends the points a running run logged since the last look. */
  async extend(): Promise<boolean> {
    if (!this.#drawn) return false;
    let grew = false;
    for (const trace of this.#overview) {
      if (trace.run.status !== "running") continue;
      const next = (trace.ends[trace.ends.length - 1] ?? -1) + 1;
      const pointCount = this.#pointCount();
      const series = await api.metrics(trace.run, this.path, pointCount, next);
      if (series.totalCount <= trace.total && series.points.length === 0) continue;
      const added = toTrace(trace.run, trace.color, series, pointCount);
      for (const key of ["steps", "values", "mins", "maxs", "starts", "ends"] as const)
        trace[key].push(...added[key]);
      trace.total = series.totalCount;
      grew = grew || added.steps.length > 0;
    }
    // Appended pages pile up at finer and finer resolution: past twice what the chart
    // can show, the whole series is fetched again, downsampled once.
    if (this.#overview.some((trace) => trace.steps.length > 2 * this.#pointCount()))
      await this.draw();
    else if (grew && !this.#zoomed) this.#render();
    return grew;
  }

  /** Takes the latest summaries (statuses) of this chart's runs. */
  update(runs: RunSummary[]): void {
    const latest = (run: RunSummary) =>
      runs.find((candidate) => runKey(candidate) === runKey(run)) ?? run;
    this.#runs = this.#runs.map(latest);
    for (const trace of [...this.#overview, ...this.#traces]) trace.run = latest(trace.run);
  }

  destroy(): void {
    this.#plot?.destroy();
  }
}
