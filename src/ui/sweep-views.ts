/**
 * The sweep views above the runs table: parallel coordinates over the configs that
 * vary across the filtered runs plus a chosen metric summary (dragging along an axis
 * keeps the runs in that range, in the table too; a click on the axis clears it), and a
 * scatter of any config against that metric, each axis linear or log.
 */

import type { RunSummary } from "./api.ts";
import { h } from "./dom.ts";
import { type Axis, type AxisRange, axisFor, isSweepKey } from "./sweep-axes.ts";
import { defaultMetric, sweepMetricPaths } from "./sweep-metric.ts";
import { parallel } from "./sweep-parallel.ts";
import { rampKey } from "./sweep-ramp.ts";
import { scatter } from "./sweep-scatter.ts";
import type { SweepSource } from "./sweep-source.ts";
import { axisLabel as label } from "./sweep-svg.ts";
import { columnId, parseColumn, type Summary } from "./table-columns.ts";

/** Config axes drawn at most: the first ones in key order. */
const MAX_AXES = 12;

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
    this.#startOnAMetric(base);
    const axes = this.axes(base);
    this.#source.setAxes(axes);
    const element = h(
      "section",
      { class: "sweep", "aria-label": "Sweep views" },
      this.#controls(base),
      parallel(this.#source, base, passing, axes),
      scatter(this.#source, base, passing, axes),
    );
    this.lastDrawMs = performance.now() - started;
    element.dataset.drawMs = this.lastDrawMs.toFixed(1);
    return element;
  }

  /**
   * With no metric in the URL, the views start on a sensible one (a validation loss, …)
   * rather than on none. Set before the table loads what the view needs, so its
   * summaries are fetched with the rest; the URL gets it with the next change.
   */
  #startOnAMetric(runs: readonly RunSummary[]): void {
    const table = this.#source.table;
    if (table.metric) return;
    const path = defaultMetric(this.#source.metricPaths(runs));
    if (path) table.metric = columnId("metric", path, "last");
  }

  #controls(runs: readonly RunSummary[]): HTMLElement {
    const table = this.#source.table;
    const chosen = parseColumn(table.metric);
    const path = chosen?.kind === "metric" ? chosen.key : "";
    const summary: Summary = chosen?.kind === "metric" ? chosen.summary : "last";
    const paths = sweepMetricPaths(this.#source.metricPaths(runs), table.internals, path);
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
          paths.length === 0 ? h("option", { value: "" }, "none") : "",
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
}
