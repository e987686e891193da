/**
 * The sweep views above the runs table: parallel coordinates over the configs that
 * vary across the filtered runs plus a chosen metric summary (dragging along an axis
 * keeps the runs in that range, in the table too; a click on the axis clears it), and a
 * scatter of any config against that metric, each axis linear or log.
 */

import type { RunSummary } from "./api.ts";
import { h } from "./dom.ts";
import {
  type Axis,
  type AxisRange,
  axisFor,
  axisPosition,
  axisTicks,
  axisUnits,
  isSweepKey,
} from "./sweep-axes.ts";
import { ramp, rampKey } from "./sweep-ramp.ts";
import { scatter } from "./sweep-scatter.ts";
import type { SweepSource } from "./sweep-source.ts";
import { axisLabel as label, svg } from "./sweep-svg.ts";
import { columnId, parseColumn, type Summary } from "./table-columns.ts";
import { runKey } from "./view-state.ts";

/** Config axes drawn at most: the first ones in key order. */
const MAX_AXES = 12;
const WIDTH = 960;
const HEIGHT = 300;
const PAD = { top: 28, bottom: 34, left: 60, right: 60 };

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
      scatter(this.#source, base, passing, axes),
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
      table.metric ? rampKey(label(table.metric)) : "",
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
    const group = svg("g", {
      class: "axis",
      "data-axis": axis.key,
      "data-focus-key": `axis|${axis.key}`,
      tabindex: 0,
      role: "group",
      "aria-label": `Axis ${label(axis.key)}: arrow keys move the top of its range (with Shift the bottom), Delete clears it`,
    });
    group.addEventListener("keydown", (event) => this.#key(event, axis));
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

  /** The keyboard's way to set a range: arrows move its top (Shift: its bottom) by a tenth. */
  #key(event: KeyboardEvent, axis: Axis): void {
    const table = this.#source.table;
    const others = table.ranges.filter((r) => r.key !== axis.key);
    if (event.key === "Delete" || event.key === "Backspace" || event.key === "Escape") {
      event.preventDefault();
      table.ranges = others;
      this.#source.changed();
      return;
    }
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    event.preventDefault();
    const range = table.ranges.find((r) => r.key === axis.key);
    const positionOf = (units: number) =>
      axis.kind === "category"
        ? units / Math.max(1, axis.categories.length - 1)
        : (axisPosition(axis, units) ?? 0);
    let low = range ? positionOf(range.low) : 0;
    let high = range ? positionOf(range.high) : 1;
    const step = (event.key === "ArrowUp" ? 1 : -1) * 0.1;
    if (event.shiftKey) low = Math.min(high, Math.max(0, low + step));
    else high = Math.max(low, Math.min(1, high + step));
    let lowUnits = axisUnits(axis, low);
    let highUnits = axisUnits(axis, high);
    if (axis.kind === "category") {
      lowUnits = Math.round(lowUnits);
      highUnits = Math.max(lowUnits, Math.round(highUnits));
    }
    table.ranges = [...others, { key: axis.key, low: lowUnits, high: highUnits }];
    this.#source.changed();
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
}
