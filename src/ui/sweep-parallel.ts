/**
 * The sweep views' parallel coordinates: a vertical axis per config that varies, plus
 * the chosen metric; a line per run coloured by the metric, runs outside the ranges
 * faded. Dragging along an axis (or its arrow keys) sets the range it keeps; a click
 * (or Delete) clears it.
 */

import type { RunSummary } from "./api.ts";
import { h } from "./dom.ts";
import { type Axis, axisPosition, axisTicks, axisUnits } from "./sweep-axes.ts";
import {
  fitText,
  MAX_TICKS,
  NAME_BASELINE,
  PARALLEL,
  parallelLayout,
  TICK_DROP,
  TICK_GAP,
} from "./sweep-layout.ts";
import { ramp } from "./sweep-ramp.ts";
import type { SweepSource } from "./sweep-source.ts";
import { axisLabel as label, svg } from "./sweep-svg.ts";
import { runKey } from "./view-state.ts";

const { width: WIDTH, height: HEIGHT } = PARALLEL;
/**
 * A halo in the panel's colour behind the labels: the runs' lines meet at the ends of
 * an axis, right where its top and bottom labels sit, and would cross them out.
 */
const HALO = "paint-order:stroke;stroke:var(--panel);stroke-width:3px;stroke-linejoin:round";

/** Parallel coordinates of `base` over `axes`, runs outside `passing` faded. */
export function parallel(
  source: SweepSource,
  base: readonly RunSummary[],
  passing: readonly RunSummary[],
  axes: Axis[],
): Element {
  const table = source.table;
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
  const plotHeight = HEIGHT - PARALLEL.top - PARALLEL.bottom;
  const layout = parallelLayout(axes.length);
  const x = (index: number) => layout.xs[index] ?? WIDTH / 2;
  const y = (position: number) => PARALLEL.top + (1 - position) * plotHeight;
  const passingKeys = new Set(passing.map(runKey));
  const metricAxis = table.metric ? axes[axes.length - 1] : undefined;
  const lines = svg("g", { class: "lines" });
  const faded: string[] = [];
  // Faded runs first (one path), then each passing run on top with its own colour and title.
  for (const run of base) {
    let d = "";
    let pen = false;
    axes.forEach((axis, index) => {
      const position = axisPosition(axis, source.axisValue(run, axis.key));
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
      metricAxis ? axisPosition(metricAxis, source.axisValue(run, metricAxis.key)) : undefined,
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
    const room = { name: layout.nameChars, tick: layout.tickChars[index] ?? 3 };
    drawn.append(axisOf(source, axis, x(index), y, plotHeight, room));
  });
  figure.append(drawn);
  figure.dataset.lines = String(lines.querySelectorAll("path[data-run]").length);
  return figure;
}

/** One vertical axis: its line, ticks, name, the range it keeps, and the drag that sets it. */
function axisOf(
  source: SweepSource,
  axis: Axis,
  x: number,
  y: (p: number) => number,
  plotHeight: number,
  room: { readonly name: number; readonly tick: number },
): SVGGElement {
  const table = source.table;
  const group = svg("g", {
    class: "axis",
    "data-axis": axis.key,
    "data-focus-key": `axis|${axis.key}`,
    tabindex: 0,
    role: "group",
    "aria-label": `Axis ${label(axis.key)}: arrow keys move the top of its range (with Shift the bottom), Delete clears it`,
  });
  group.addEventListener("keydown", (event) => keyOn(source, event, axis));
  group.append(svg("line", { x1: x, x2: x, y1: y(0), y2: y(1) }));
  for (const tick of axisTicks(axis, MAX_TICKS)) {
    const text = fitText(tick.label, room.tick);
    group.append(
      svg(
        "text",
        {
          x: x - TICK_GAP,
          y: y(tick.position) + TICK_DROP,
          class: "tick",
          "text-anchor": "end",
          style: HALO,
        },
        ...(text === tick.label ? [] : [svg("title", {}, tick.label)]),
        text,
      ),
    );
  }
  const name = label(axis.key).split("/").slice(-1)[0] ?? axis.key;
  group.append(
    svg(
      "text",
      { x, y: NAME_BASELINE, class: "name", "text-anchor": "middle" },
      svg("title", {}, label(axis.key)),
      fitText(name, room.name),
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
  hit.addEventListener("pointerdown", (event) => drag(source, event, axis, hit, group, y, x));
  group.append(hit);
  return group;
}

/** The keyboard's way to set a range: arrows move its top (Shift: its bottom) by a tenth. */
function keyOn(source: SweepSource, event: KeyboardEvent, axis: Axis): void {
  const table = source.table;
  const others = table.ranges.filter((r) => r.key !== axis.key);
  if (event.key === "Delete" || event.key === "Backspace" || event.key === "Escape") {
    event.preventDefault();
    table.ranges = others;
    source.changed();
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
  source.changed();
}

function drag(
  source: SweepSource,
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
    return Math.min(
      1,
      Math.max(0, 1 - (svgY - PARALLEL.top) / (HEIGHT - PARALLEL.top - PARALLEL.bottom)),
    );
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
    const table = source.table;
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
    source.changed();
  };
  hit.addEventListener("pointermove", move);
  hit.addEventListener("pointerup", up);
}
