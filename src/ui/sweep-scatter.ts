/**
 * The sweep views' scatter: any config of the filtered runs against the chosen metric
 * summary, each axis linear or log; runs outside the axis ranges are faded, and a dot
 * opens its run (click, Enter or Space). The dots are one Tab stop: the arrow keys move
 * between them.
 */

import type { RunSummary } from "./api.ts";
import { formatNumber } from "./chart-style.ts";
import { h } from "./dom.ts";
import { type RovingItem, rovingFocus } from "./roving-focus.ts";
import { type Axis, axisPosition, axisTicks, inRange, isSweepKey } from "./sweep-axes.ts";
import { leftOutNote, type ScatterScale, scatterScale } from "./sweep-scale.ts";
import type { SweepSource } from "./sweep-source.ts";
import { axisLabel as label, svg } from "./sweep-svg.ts";
import { parseColumn } from "./table-columns.ts";
import { runKey } from "./view-state.ts";

/** A value as a dot's name says it: numbers as the charts print them (0.145666, not 0.14566563444680222). */
function shown(value: unknown): string {
  return typeof value === "number" ? formatNumber(value) : String(value);
}

/** Tick labels at most along x (about 50 units each) and y. */
const X_TICKS = 8;
const Y_TICKS = 10;

/** The run whose dot last held the scatter's Tab stop: it keeps it over a redraw. */
let focusedRun = "";

/** The scatter of a config (x) against the chosen metric summary (y), each axis linear or log. */
export function scatter(
  source: SweepSource,
  base: readonly RunSummary[],
  passing: readonly RunSummary[],
  axes: readonly Axis[],
): Element {
  const table = source.table;
  const configKeys = source.configKeys(base).filter(isSweepKey);
  const xKey =
    table.scatterX && configKeys.includes(table.scatterX)
      ? table.scatterX
      : (axes.find((axis) => !parseColumn(axis.key) && axis.kind !== "category")?.key ??
        configKeys[0] ??
        "");
  const yKey = table.metric;
  const xs = base.map((run) => source.axisValue(run, xKey));
  const ys = base.map((run) => source.axisValue(run, yKey));
  // Log only where it makes sense: a text or true/false config offers none.
  const x = scatterScale(xKey, xs, table.logX);
  const y = scatterScale(yKey, ys, table.logY);
  const logSwitch = (
    name: string,
    key: string,
    scale: ScatterScale,
    on: boolean,
    set: (on: boolean) => void,
  ) =>
    h(
      "label",
      scale.logOffered || !key
        ? {}
        : { title: `A log scale needs positive numbers: ${label(key)} holds text or true/false` },
      h("input", {
        type: "checkbox",
        checked: on && scale.logOffered,
        disabled: !scale.logOffered,
        onchange: (event: Event) => {
          set((event.target as HTMLInputElement).checked);
          source.changed();
        },
      }),
      ` ${name}`,
    );
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
            source.changed();
          },
        },
        ...configKeys.map((key) => h("option", { value: key, selected: key === xKey }, key)),
      ),
    ),
    logSwitch("log x", xKey, x, table.logX, (on) => {
      table.logX = on;
    }),
    logSwitch("log y", yKey, y, table.logY, (on) => {
      table.logY = on;
    }),
  );
  const figure = h("figure", { class: "scatter" }, controls);
  if (!xKey || !yKey) {
    figure.append(h("p", { class: "hint" }, "Choose a metric above to plot it against a config."));
    return figure;
  }
  const note = leftOutNote(
    [
      { name: "log x", key: xKey, scale: x },
      { name: "log y", key: label(yKey), scale: y },
    ],
    base.length,
  );
  const xAxis = x.axis;
  const yAxis = y.axis;
  if (!xAxis || !yAxis) {
    figure.dataset.points = "0";
    figure.append(h("p", { class: "hint note" }, note));
    return figure;
  }
  const passingKeys = new Set(passing.map(runKey));
  const W = 480;
  const H = 300;
  const pad = { left: 64, right: 16, top: 12, bottom: 40 };
  const px = (p: number) => pad.left + p * (W - pad.left - pad.right);
  const py = (p: number) => pad.top + (1 - p) * (H - pad.top - pad.bottom);
  const drawn = svg("svg", {
    viewBox: `0 0 ${W} ${H}`,
    role: "group",
    "aria-label": `${label(yKey)} against ${xKey}: arrow keys move between runs, Enter opens one`,
  });
  drawn.append(
    svg("line", { x1: px(0), x2: px(1), y1: py(0), y2: py(0), class: "frame" }),
    svg("line", { x1: px(0), x2: px(0), y1: py(0), y2: py(1), class: "frame" }),
  );
  for (const tick of axisTicks(xAxis, X_TICKS))
    drawn.append(
      svg(
        "text",
        { x: px(tick.position), y: H - pad.bottom + 16, class: "tick", "text-anchor": "middle" },
        tick.label.slice(0, 10),
      ),
    );
  for (const tick of axisTicks(yAxis, Y_TICKS))
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
      `${xKey}${x.log ? " (log)" : ""}`,
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
      `${label(yKey)}${y.log ? " (log)" : ""}`,
    ),
  );
  const dots: (RovingItem & { run: RunSummary })[] = [];
  base.forEach((run, index) => {
    const xp = axisPosition(xAxis, xs[index]);
    const yp = axisPosition(yAxis, ys[index]);
    if (xp === undefined || yp === undefined) return;
    const inside =
      passingKeys.has(runKey(run)) &&
      table.ranges.every((range) => range.key !== yKey || inRange(yAxis, ys[index], range));
    // A compared run shows in its colour in the charts, ringed.
    const color = source.comparedColor(run);
    const text = `${run.experiment_name || run.run_id}: ${xKey} = ${shown(xs[index])}, ${label(yKey)} = ${shown(ys[index])}`;
    const dot = svg(
      "circle",
      {
        cx: px(xp).toFixed(1),
        cy: py(yp).toFixed(1),
        r: color ? 5.5 : 4.5,
        class: `dot${inside ? "" : " faded"}${color ? " compared" : ""}`,
        style: color ? `fill:${color}` : "",
        "data-run": runKey(run),
        role: "button",
        "aria-label": text,
      },
      svg("title", {}, text),
    );
    drawn.append(dot);
    dots.push({ element: dot, x: xp, y: yp, run });
  });
  // Redrawn (a live run's new summary, a filter) while a dot had the focus: the same
  // run's new dot takes it, so arrow keys go on from there.
  const hadFocus = document.activeElement?.matches("figure.scatter circle.dot") === true;
  const held = rovingFocus(dots, {
    activate: (index) => source.focus((dots[index] as (typeof dots)[number]).run),
    moved: (index) => {
      focusedRun = runKey((dots[index] as (typeof dots)[number]).run);
    },
    initial: dots.findIndex((dot) => runKey(dot.run) === focusedRun),
  });
  const points = dots.length;
  if (hadFocus && held >= 0)
    queueMicrotask(() => {
      const dot = dots[held]?.element;
      if (dot?.isConnected) dot.focus();
    });
  figure.dataset.points = String(points);
  // With runs compared, the others step back so that the compared ones' colours show.
  figure.classList.toggle("has-compared", drawn.querySelector(".dot.compared") !== null);
  figure.append(drawn);
  if (note) figure.append(h("p", { class: "hint note" }, note));
  return figure;
}
