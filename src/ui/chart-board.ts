/**
 * The charts of the compared runs: controls (filter, smoothing, x axis), a compact
 * legend, collapsible sections by path prefix with System last, and the state they
 * share (zoom, axis, smoothing, groups), kept in the URL so that a link and Back
 * bring a view back.
 */

import type { RunSummary } from "./api.ts";
import { ChartControls } from "./chart-controls.ts";
import { renderLegend } from "./chart-legend.ts";
import type { RunGroup } from "./chart-lines.ts";
import { type ChartSpec, chartSpecs, matchesFilter, SYSTEM, sectionsOf } from "./chart-specs.ts";
import type { XMode } from "./chart-traces.ts";
import { type ChartView, readChartView, writeChartView } from "./chart-view.ts";
import { type ChartHost, MetricChart } from "./charts.ts";
import { h } from "./dom.ts";
import "./charts.css";
import { SectionMore } from "./section-more.ts";
import { runKey } from "./view-state.ts";

/** A group of runs as the table's grouping hands it over. */
export interface GroupInput {
  label: string;
  /** Run keys, `project:runId`. */
  keys: string[];
  /** The group's own colour (its mean line and band). */
  color: string;
  /** Unfolded in the table: the charts draw its runs instead of its mean. */
  open: boolean;
}

export interface ChartBoardOptions {
  /** Whether the y axes are logarithmic (the toolbar's switch). */
  log(): boolean;
  /** A run's colour, the same in every view (`RunColors`). */
  colorOf(run: RunSummary): string;
  /**
   * While `colorOf` may still change (`RunColors.pending`): legend and charts first
   * paint once it resolves.
   * @default never pending
   */
  colorsPending?(): Promise<void> | undefined;
}

export class ChartBoard {
  readonly element = h("div", { class: "chart-board" });
  readonly #options: ChartBoardOptions;
  readonly #view: ChartView = readChartView();
  readonly #charts = new Map<string, MetricChart>();
  readonly #sections = h("div", { class: "chart-sections" });
  /** Said when the chart filter hides every chart. */
  readonly #noMatch = h("p", { class: "empty-charts", hidden: true });
  readonly #legend = h("ul", { class: "legend" });
  readonly #more = new SectionMore();
  readonly #controls: ChartControls;
  #runs: RunSummary[] = [];
  #groups: RunGroup[] | undefined;
  #signature = "";
  readonly #observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const chart = this.#charts.get((entry.target as HTMLElement).dataset.path ?? "");
      if (chart && !chart.drawn) void chart.draw();
    }
  });
  /** Charts follow their box's width (window resized, phone turned, a chart enlarged). */
  readonly #resizer = new ResizeObserver((entries) => {
    for (const entry of entries)
      this.#charts.get((entry.target as HTMLElement).dataset.path ?? "")?.resized();
  });
  readonly #host: ChartHost = {
    colorOf: (run) => this.#options.colorOf(run),
    smoothing: () => this.#view.smoothing,
    log: () => this.#options.log(),
    modeOf: (spec) => this.modeOf(spec),
    zoomOf: (mode) => (this.#view.zoom?.mode === mode ? this.#view.zoom : undefined),
    zoomed: (mode, range) => this.zoom(range ? { mode, ...range } : undefined),
    setMode: (spec, mode) => {
      if (mode) this.#view.chartX.set(spec.key, mode);
      else this.#view.chartX.delete(spec.key);
      this.#commit(true);
      void this.#charts.get(spec.key)?.applyZoom();
    },
    toggleEnlarged: (spec) => {
      this.#view.enlarged = this.#view.enlarged === spec.key ? "" : spec.key;
      this.#commit(true);
      this.#layout();
    },
    groups: () => this.#groups,
    colorsPending: () => this.#options.colorsPending?.(),
  };

  constructor(options: ChartBoardOptions) {
    this.#options = options;
    this.#controls = new ChartControls(this.#view, {
      commit: (push) => this.#commit(push),
      layout: () => this.#layout(),
      rerender: () => this.rerender(),
      applyZoom: () => {
        for (const chart of this.#charts.values()) void chart.applyZoom();
      },
      resetZoom: () => this.zoom(undefined),
    });
    this.element.replaceChildren(
      this.#controls.element,
      this.#legend,
      this.#noMatch,
      this.#sections,
    );
    window.addEventListener("popstate", () => this.#restore());
  }

  /** A chart's x axis: its own, else the board's; system charts follow time by default. */
  modeOf(spec: Pick<ChartSpec, "key" | "system">): XMode {
    const own = this.#view.chartX.get(spec.key);
    if (own) return own;
    if (spec.system && this.#view.x === "step") return "relative";
    return this.#view.x;
  }

  /** Zooms every chart on the range's axis (undefined: back to whole series). */
  zoom(range: ChartView["zoom"]): void {
    this.#view.zoom = range;
    this.#controls.zoomed = !!range;
    this.#commit(true);
    for (const chart of this.#charts.values()) void chart.applyZoom();
  }

  /**
   * Draws groups instead of runs: each folded group's mean line with its min–max band,
   * an unfolded group's runs one by one (the table's group-by). `undefined` goes back
   * to one line per run.
   */
  setGroups(groups: readonly GroupInput[] | undefined): void {
    this.#groups = groups?.map((group) => ({ ...group, keys: [...group.keys] }));
    this.recolor();
  }

  /** Draws legend and charts again in the colours `colorOf` gives now. */
  recolor(): void {
    this.#renderLegend();
    this.rerender();
  }

  /** Redraws every drawn chart from what it holds (smoothing, scale, groups changed). */
  rerender(): void {
    for (const chart of this.#charts.values()) if (chart.drawn) chart.render();
  }

  /** Shows the charts of `runs`; resolves once the charts on screen have drawn. */
  show(runs: readonly RunSummary[]): Promise<unknown> {
    this.#runs = [...runs];
    const signature = runs.map((run) => `${runKey(run)}:${run.metric_paths.length}`).join("|");
    if (signature !== this.#signature) {
      this.#signature = signature;
      for (const chart of this.#charts.values()) chart.destroy();
      this.#charts.clear();
      this.#observer.disconnect();
      this.#resizer.disconnect();
      for (const spec of chartSpecs(runs))
        this.#charts.set(spec.key, new MetricChart(spec, this.#host));
      this.#renderLegend();
      this.#buildSections();
    }
    this.#layout();
    // Charts on screen: #layout may have started their draws already.
    const drawing = this.#onScreen().map((chart) => (chart.drawn ? chart.drawing : chart.draw()));
    for (const chart of this.#charts.values()) {
      this.#observer.observe(chart.element);
      this.#resizer.observe(chart.element);
    }
    return Promise.allSettled(drawing);
  }

  /**
   * The shown charts on screen, all measured before any draws: a draw changes the
   * page, and a measure after it lays the whole page out again (40 ms of a 30-run
   * board's first view, measuring and drawing chart by chart).
   */
  #onScreen(): MetricChart[] {
    const shown = [...this.#charts.values()].filter((chart) => !chart.element.hidden);
    const boxes = shown.map((chart) => chart.element.getBoundingClientRect());
    return shown.filter((_, i) => {
      const box = boxes[i] as DOMRect;
      return box.height > 0 && box.top < window.innerHeight;
    });
  }

  #renderLegend(): void {
    const pending = this.#options.colorsPending?.();
    if (pending) {
      void pending.then(() => this.#renderLegend());
      return;
    }
    renderLegend(this.#legend, this.#runs, this.#groups, (run) => this.#options.colorOf(run));
  }

  #buildSections(): void {
    const specs = [...this.#charts.values()].map((chart) => chart.spec);
    this.#sections.replaceChildren(
      ...sectionsOf(specs).map((name) => {
        const charts = [...this.#charts.values()].filter((chart) => chart.spec.section === name);
        const details = h(
          "details",
          {
            class: "chart-section",
            "data-section": name,
            open: !this.#view.collapsed.has(name),
          },
          h("summary", {}, name, h("span", { class: "count" }, ` (${charts.length})`)),
          h(
            "div",
            { class: `charts${name === SYSTEM ? " system" : ""}` },
            ...charts.map((chart) => chart.element),
          ),
          this.#more.button(name, () => this.#layout()),
        );
        details.addEventListener("toggle", () => {
          const collapsed = !details.open;
          if (collapsed === this.#view.collapsed.has(name)) return;
          if (collapsed) this.#view.collapsed.add(name);
          else this.#view.collapsed.delete(name);
          this.#commit(true);
          if (!collapsed) void this.show(this.#runs);
        });
        return details;
      }),
    );
  }

  /** Applies filter, collapsed sections and the enlarged chart to what is on the page. */
  #layout(): void {
    const filter = this.#view.filter.trim();
    this.#sayNoMatch(
      filter !== "" &&
        this.#charts.size > 0 &&
        ![...this.#charts.values()].some((chart) => matchesFilter(chart.spec, filter)),
    );
    for (const details of this.#sections.querySelectorAll<HTMLDetailsElement>(
      "details.chart-section",
    )) {
      const name = details.dataset.section ?? "";
      const open = !this.#view.collapsed.has(name);
      if (details.open !== open) details.open = open;
      let visible = 0;
      for (const chart of this.#charts.values()) {
        if (chart.spec.section !== name) continue;
        const enlarged = this.#view.enlarged === chart.spec.key;
        const matches = matchesFilter(chart.spec, filter);
        chart.element.hidden = !matches || !this.#more.shows(name, visible, !!filter, enlarged);
        if (matches) visible++;
        if (chart.element.classList.contains("enlarged") !== enlarged) {
          chart.element.classList.toggle("enlarged", enlarged);
          if (chart.drawn) chart.render();
        }
      }
      details.hidden = visible === 0;
      this.#more.label(name, visible, !!filter);
      const count = details.querySelector(".count");
      if (count)
        count.textContent = filter
          ? ` (${visible} of ${[...this.#charts.values()].filter((c) => c.spec.section === name).length})`
          : ` (${visible})`;
    }
    // Charts that came into view by the filter draw now.
    for (const chart of this.#onScreen()) if (!chart.drawn) void chart.draw();
  }

  #sayNoMatch(none: boolean): void {
    this.#noMatch.hidden = !none;
    if (!none) return;
    this.#noMatch.replaceChildren(
      `No chart matches “${this.#view.filter.trim()}”. `,
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            this.#view.filter = "";
            this.#controls.show(this.#view);
            this.#commit(false);
            this.#layout();
          },
        },
        "Clear the chart filter",
      ),
    );
  }

  #commit(push: boolean): void {
    writeChartView(this.#view, push);
  }

  /** Back (or Forward) to a view in history: take the URL's chart view. */
  #restore(): void {
    const next = readChartView();
    const zoomChanged = JSON.stringify(next.zoom) !== JSON.stringify(this.#view.zoom);
    const modeChanged =
      next.x !== this.#view.x ||
      JSON.stringify([...next.chartX]) !== JSON.stringify([...this.#view.chartX]);
    const smoothingChanged = next.smoothing !== this.#view.smoothing;
    Object.assign(this.#view, next);
    this.#controls.show(next);
    this.#layout();
    if (zoomChanged || modeChanged)
      for (const chart of this.#charts.values()) void chart.applyZoom();
    else if (smoothingChanged) this.rerender();
  }

  /** Appends what running runs logged since the last look. */
  async extend(): Promise<void> {
    for (const chart of this.#charts.values()) await chart.extend();
  }

  update(runs: readonly RunSummary[]): void {
    // One look-up for all charts: each chart's sources looked for their run in the whole
    // list, which is every run on the server at each poll.
    const byKey = new Map(runs.map((run) => [runKey(run), run]));
    for (const chart of this.#charts.values()) chart.update(byKey);
  }

  /** The chart of a key (tests and exports). */
  chart(key: string): MetricChart | undefined {
    return this.#charts.get(key);
  }
}
