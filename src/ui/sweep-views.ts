/**
 * The sweep views above the runs table: parallel coordinates over the configs that
 * vary across the filtered runs plus a chosen metric summary (dragging along an axis
 * keeps the runs in that range, in the table too; a click on the axis clears it), and a
 * scatter of any config against that metric, each axis linear or log.
 */

import type { RunSummary } from "./api.ts";
import { h } from "./dom.ts";
import { asNumber } from "./run-filter.ts";
import {
  type Axis,
  type AxisRange,
  axisFor,
  axisPosition,
  axisTicks,
  axisUnits,
  inRange,
  isSweepKey,
} from "./sweep-axes.ts";
import { columnId, parseColumn, type Summary } from "./table-columns.ts";
import type { TableView } from "./table-view.ts";
import { runKey } from "./view-state.ts";

const SVG = "http://www.w3.org/2000/svg";
/** Config axes drawn at most: the first ones in key order. */
const MAX_AXES = 12;
const WIDTH = 960;
const HEIGHT = 300;
const PAD = { top: 28, bottom: 34, left: 60, right: 60 };

export interface SweepSource {
  readonly table: TableView;
  changed(): void;
  focus(run: RunSummary): void;
  /** Config keys shown (per-process ones only when asked for). */
  configKeys(runs: readonly RunSummary[]): string[];
  metricPaths(runs: readonly RunSummary[]): string[];
  axisValue(run: RunSummary, key: string): unknown;
  /** The axes used, so that the table filters by their ranges. */
  setAxes(axes: Axis[]): void;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** Blue (low) to amber (high): a run's metric value on the parallel coordinates. */
function ramp(position: number | undefined): string {
  if (position === undefined) return "var(--muted)";
  const hue = 230 - 190 * position;
  return `hsl(${hue.toFixed(0)} 75% 50%)`;
}

function label(key: string): string {
  const column = parseColumn(key);
  if (column?.kind === "metric")
    return `${column.key}${column.summary === "last" ? "" : ` (${column.summary})`}`;
  return key;
}

export class SweepViews {
  readonly #source: SweepSource;
  /** Milliseconds the last parallel-coordinates drawing took (for the benchmark). */
  lastDrawMs = 0;

  constructor(source: SweepSource) {
    this.#source = source;
  }

  /** The axes for `runs`: the configs that vary among them, then the chosen metric. */
  axes(runs: readonly RunSummary[]): Axis[] {
    const table = this.#source.table;
    const keys = this.#source
      .configKeys(runs)
      .filter(isSweepKey)
      .filter((key) => {
        const values = new Set(
          runs.map((run) => JSON.stringify(this.#source.axisValue(run, key) ?? null)),
        );
        return values.size > 1;
      })
      .slice(0, MAX_AXES);
    if (table.metric) keys.push(table.metric);
    return keys.map((key) =>
      axisFor(
        key,
        runs.map((run) => this.#source.axisValue(run, key)),
      ),
    );
  }

  render(base: readonly RunSummary[], passing: readonly RunSummary[]): HTMLElement {
    const started = performance.now();
    const axes = this.axes(base);
    this.#source.setAxes(axes);
    const element = h(
      "section",
      { class: "sweep", "aria-label": "Sweep views" },
      this.#controls(base),
      this.#parallel(base, passing, axes),
      this.#scatter(base, passing, axes),
    );
    this.lastDrawMs = performance.now() - started;
    element.dataset.drawMs = this.lastDrawMs.toFixed(1);
    return element;
  }

  #controls(runs: readonly RunSummary[]): HTMLElement {
    const table = this.#source.table;
    const chosen = parseColumn(table.metric);
    const path = chosen?.kind === "metric" ? chosen.key : "";
    const summary: Summary = chosen?.kind === "metric" ? chosen.summary : "last";
    const paths = this.#source.metricPaths(runs);
    const setMetric = (nextPath: string, nextSummary: Summary) => {
      table.metric = nextPath ? columnId("metric", nextPath, nextSummary) : "";
      table.ranges = table.ranges.filter((range) => parseColumn(range.key)?.kind !== "metric");
      this.#source.changed();
    };
    const ranges = table.ranges;
    return h(
      "div",
      { class: "toolbar" },
      h(
        "label",
        {},
        "Metric ",
        h(
          "select",
          {
            "aria-label": "Metric of the sweep views",
            onchange: (event: Event) =>
              setMetric((event.target as HTMLSelectElement).value, summary),
          },
          h("option", { value: "" }, "none"),
          ...paths.map((p) => h("option", { value: p, selected: p === path }, p)),
        ),
      ),
      h(
        "select",
        {
          "aria-label": "Summary of the metric",
          onchange: (event: Event) =>
            setMetric(path, (event.target as HTMLSelectElement).value as Summary),
        },
        ...(["last", "min", "max"] as const).map((s) =>
          h("option", { value: s, selected: s === summary }, s),
        ),
      ),
      ranges.length > 0
        ? h(
            "span",
            { class: "ranges" },
            ...ranges.map((range) =>
              h(
                "button",
                {
                  class: "chip",
                  title: "Remove this range",
                  onclick: () => {
                    table.ranges = table.ranges.filter((r) => r !== range);
                    this.#source.changed();
                  },
                },
                `${label(range.key)} ${this.#rangeText(range)} ×`,
              ),
            ),
          )
        : h("span", { class: "hint" }, "Drag along an axis to keep the runs in that range."),
    );
  }

  #rangeText(range: AxisRange): string {
    const format = (value: number) => String(Number(value.toPrecision(3)));
    return `${format(range.low)}…${format(range.high)}`;
  }

  #parallel(base: readonly RunSummary[], passing: readonly RunSummary[], axes: Axis[]): Element {
    const table = this.#source.table;
    const figure = h("figure", {
      class: "parallel",
      "data-runs": base.length,
      "data-axes": axes.length,
    });
    if (axes.length === 0) {
      figure.append(
        h(
          "p",
          { class: "hint" },
          "No config varies across these runs (or their configs are still loading).",
        ),
      );
      return figure;
    }
    const plotHeight = HEIGHT - PAD.top - PAD.bottom;
    const step = axes.length === 1 ? 0 : (WIDTH - PAD.left - PAD.right) / (axes.length - 1);
    const x = (index: number) => (axes.length === 1 ? WIDTH / 2 : PAD.left + index * step);
    const y = (position: number) => PAD.top + (1 - position) * plotHeight;
    const passingKeys = new Set(passing.map(runKey));
    const metricAxis = table.metric ? axes[axes.length - 1] : undefined;
    const lines = svg("g", { class: "lines" });
    const faded: string[] = [];
    // Faded runs first (one path), then each passing run on top with its own colour and title.
    for (const run of base) {
      let d = "";
      let pen = false;
      axes.forEach((axis, index) => {
        const position = axisPosition(axis, this.#source.axisValue(run, axis.key));
        if (position === undefined) {
          pen = false;
          return;
        }
        d += `${pen ? "L" : "M"}${x(index).toFixed(1)},${y(position).toFixed(1)}`;
        pen = true;
      });
      if (!d) continue;
      if (!passingKeys.has(runKey(run))) {
        faded.push(d);
        continue;
      }
      const color = ramp(
        metricAxis
          ? axisPosition(metricAxis, this.#source.axisValue(run, metricAxis.key))
          : undefined,
      );
      lines.append(
        svg(
          "path",
          { d, stroke: color, "data-run": runKey(run) },
          svg("title", {}, run.experiment_name ?? run.run_id),
        ),
      );
    }
    if (faded.length > 0) lines.prepend(svg("path", { d: faded.join(""), class: "faded" }));
    const drawn = svg("svg", {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-label": `Parallel coordinates of ${base.length} runs over ${axes.length} axes`,
    });
    drawn.append(lines);
    axes.forEach((axis, index) => {
      drawn.append(this.#axis(axis, x(index), y, plotHeight));
    });
    figure.append(drawn);
    figure.dataset.lines = String(lines.querySelectorAll("path[data-run]").length);
    return figure;
  }

  /** One vertical axis: its line, ticks, name, the range it keeps, and the drag that sets it. */
  #axis(axis: Axis, x: number, y: (p: number) => number, plotHeight: number): SVGGElement {
    const table = this.#source.table;
    const group = svg("g", { class: "axis", "data-axis": axis.key });
    group.append(svg("line", { x1: x, x2: x, y1: y(0), y2: y(1) }));
    for (const tick of axisTicks(axis).slice(0, 12))
      group.append(
        svg(
          "text",
          { x: x - 5, y: y(tick.position) + 4, class: "tick", "text-anchor": "end" },
          tick.label.slice(0, 12),
        ),
      );
    const name = label(axis.key).split("/").slice(-1)[0] ?? axis.key;
    group.append(
      svg(
        "text",
        { x, y: PAD.top - 10, class: "name", "text-anchor": "middle" },
        svg("title", {}, label(axis.key)),
        name.length > 14 ? `${name.slice(0, 13)}…` : name,
      ),
    );
    const range = table.ranges.find((r) => r.key === axis.key);
    if (range) {
      const low =
        axis.kind === "category"
          ? range.low / Math.max(1, axis.categories.length - 1)
          : axisPosition(axis, range.low);
      const high =
        axis.kind === "category"
          ? range.high / Math.max(1, axis.categories.length - 1)
          : axisPosition(axis, range.high);
      if (low !== undefined && high !== undefined)
        group.append(
          svg("rect", {
            class: "range",
            x: x - 7,
            width: 14,
            y: y(Math.max(low, high)),
            height: Math.max(2, Math.abs(y(low) - y(high))),
          }),
        );
    }
    const hit = svg("rect", {
      class: "hit",
      x: x - 14,
      width: 28,
      y: y(1) - 6,
      height: plotHeight + 12,
    });
    hit.addEventListener("pointerdown", (event) => this.#drag(event, axis, hit, group, y, x));
    group.append(hit);
    return group;
  }

  #drag(
    event: PointerEvent,
    axis: Axis,
    hit: SVGRectElement,
    group: SVGGElement,
    y: (p: number) => number,
    x: number,
  ): void {
    event.preventDefault();
    const owner = hit.ownerSVGElement;
    if (!owner) return;
    const toPosition = (clientY: number) => {
      const box = owner.getBoundingClientRect();
      const svgY = ((clientY - box.top) / box.height) * HEIGHT;
      return Math.min(1, Math.max(0, 1 - (svgY - PAD.top) / (HEIGHT - PAD.top - PAD.bottom)));
    };
    const start = toPosition(event.clientY);
    const startY = event.clientY;
    const shade = svg("rect", { class: "range", x: x - 7, width: 14, y: y(start), height: 0 });
    group.append(shade);
    hit.setPointerCapture(event.pointerId);
    const move = (next: PointerEvent) => {
      const now = toPosition(next.clientY);
      shade.setAttribute("y", String(y(Math.max(start, now))));
      shade.setAttribute("height", String(Math.abs(y(start) - y(now))));
    };
    const up = (next: PointerEvent) => {
      hit.removeEventListener("pointermove", move);
      hit.removeEventListener("pointerup", up);
      const table = this.#source.table;
      const others = table.ranges.filter((r) => r.key !== axis.key);
      if (Math.abs(next.clientY - startY) < 3) {
        table.ranges = others;
      } else {
        const end = toPosition(next.clientY);
        let low = axisUnits(axis, Math.min(start, end));
        let high = axisUnits(axis, Math.max(start, end));
        if (axis.kind === "category") {
          low = Math.ceil(low - 1e-9);
          high = Math.floor(high + 1e-9);
          if (low > high) low = high = Math.round((low + high) / 2);
        }
        table.ranges = [...others, { key: axis.key, low, high }];
      }
      this.#source.changed();
    };
    hit.addEventListener("pointermove", move);
    hit.addEventListener("pointerup", up);
  }

  #scatter(base: readonly RunSummary[], passing: readonly RunSummary[], axes: Axis[]): Element {
    const table = this.#source.table;
    const configKeys = this.#source.configKeys(base).filter(isSweepKey);
    const xKey =
      table.scatterX && configKeys.includes(table.scatterX)
        ? table.scatterX
        : (axes.find((axis) => !parseColumn(axis.key) && axis.kind !== "category")?.key ??
          configKeys[0] ??
          "");
    const yKey = table.metric;
    const controls = h(
      "div",
      { class: "toolbar" },
      h(
        "label",
        {},
        "Scatter x ",
        h(
          "select",
          {
            "aria-label": "Scatter x axis",
            onchange: (event: Event) => {
              table.scatterX = (event.target as HTMLSelectElement).value;
              this.#source.changed();
            },
          },
          ...configKeys.map((key) => h("option", { value: key, selected: key === xKey }, key)),
        ),
      ),
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          checked: table.logX,
          onchange: (event: Event) => {
            table.logX = (event.target as HTMLInputElement).checked;
            this.#source.changed();
          },
        }),
        " log x",
      ),
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          checked: table.logY,
          onchange: (event: Event) => {
            table.logY = (event.target as HTMLInputElement).checked;
            this.#source.changed();
          },
        }),
        " log y",
      ),
    );
    const figure = h("figure", { class: "scatter" }, controls);
    if (!xKey || !yKey) {
      figure.append(
        h("p", { class: "hint" }, "Choose a metric above to plot it against a config."),
      );
      return figure;
    }
    const passingKeys = new Set(passing.map(runKey));
    const xs = base.map((run) => this.#source.axisValue(run, xKey));
    const ys = base.map((run) => this.#source.axisValue(run, yKey));
    const scale = (values: unknown[], log: boolean, key: string): Axis => {
      const usable = log ? values.filter((v) => (asNumber(v) ?? 0) > 0) : values;
      const axis = axisFor(key, usable, false);
      if (!log || axis.kind === "category") return axis;
      return { ...axis, kind: "log" };
    };
    const xAxis = scale(xs, table.logX, xKey);
    const yAxis = scale(ys, table.logY, yKey);
    const W = 480;
    const H = 300;
    const pad = { left: 64, right: 16, top: 12, bottom: 40 };
    const px = (p: number) => pad.left + p * (W - pad.left - pad.right);
    const py = (p: number) => pad.top + (1 - p) * (H - pad.top - pad.bottom);
    const drawn = svg("svg", {
      viewBox: `0 0 ${W} ${H}`,
      role: "img",
      "aria-label": `${yKey} against ${xKey}`,
    });
    drawn.append(
      svg("line", { x1: px(0), x2: px(1), y1: py(0), y2: py(0), class: "frame" }),
      svg("line", { x1: px(0), x2: px(0), y1: py(0), y2: py(1), class: "frame" }),
    );
    for (const tick of axisTicks(xAxis).slice(0, 12))
      drawn.append(
        svg(
          "text",
          { x: px(tick.position), y: H - pad.bottom + 16, class: "tick", "text-anchor": "middle" },
          tick.label.slice(0, 10),
        ),
      );
    for (const tick of axisTicks(yAxis).slice(0, 12))
      drawn.append(
        svg(
          "text",
          { x: pad.left - 6, y: py(tick.position) + 4, class: "tick", "text-anchor": "end" },
          tick.label.slice(0, 10),
        ),
      );
    drawn.append(
      svg(
        "text",
        { x: px(0.5), y: H - 6, class: "name", "text-anchor": "middle" },
        `${xKey}${table.logX ? " (log)" : ""}`,
      ),
      svg(
        "text",
        {
          x: 12,
          y: py(0.5),
          class: "name",
          "text-anchor": "middle",
          transform: `rotate(-90 12 ${py(0.5)})`,
        },
        `${label(yKey)}${table.logY ? " (log)" : ""}`,
      ),
    );
    let points = 0;
    base.forEach((run, index) => {
      const xp = axisPosition(xAxis, xs[index]);
      const yp = axisPosition(yAxis, ys[index]);
      if (xp === undefined || yp === undefined) return;
      const inside =
        passingKeys.has(runKey(run)) &&
        table.ranges.every((range) => range.key !== yKey || inRange(yAxis, ys[index], range));
      const dot = svg(
        "circle",
        {
          cx: px(xp).toFixed(1),
          cy: py(yp).toFixed(1),
          r: 4.5,
          class: inside ? "dot" : "dot faded",
          "data-run": runKey(run),
          tabindex: 0,
        },
        svg(
          "title",
          {},
          `${run.experiment_name ?? run.run_id}: ${xKey} = ${String(xs[index])}, ${label(yKey)} = ${String(ys[index])}`,
        ),
      );
      dot.addEventListener("click", () => this.#source.focus(run));
      dot.addEventListener("keydown", (event) => {
        if (event.key === "Enter") this.#source.focus(run);
      });
      drawn.append(dot);
      points++;
    });
    figure.dataset.points = String(points);
    figure.append(drawn);
    return figure;
  }
}
