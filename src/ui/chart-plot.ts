/**
 * The uPlot options of a chart: axes for each x mode (distinct step ticks, durations,
 * local wall time), the series' strokes, and hooks that fill bands, mark non-finite
 * points, turn a drag into a zoom and follow the cursor.
 */

import type uPlot from "uplot";
import { MAX_FULL_LINES, runLines } from "./chart-line-set.ts";
import {
  atLeastSpan,
  DURATION_INCREMENTS,
  logRange,
  minZoomSpan,
  stepIncrements,
  stepUnit,
} from "./chart-math.ts";
import type { Described, Marker } from "./chart-series.ts";
import { strokeOf } from "./chart-series.ts";
import { drawMarkers, durationTicks, fillBand, themeColor, ticks, xLabel } from "./chart-style.ts";
import type { XMode } from "./chart-traces.ts";
import { logTickLabel, logTicksSpaced } from "./sweep-ticks.ts";

export interface PlotSetup {
  mode: XMode;
  log: boolean;
  width: number;
  height: number;
  /** The zoomed x range, fixed; otherwise the data's. */
  range: { from: number; to: number } | undefined;
  /** The y axis's unit, if any. */
  unit: string;
  described: readonly Described[];
  /** What the hooks draw now (the series may get new data without a new plot). */
  shown(): { described: readonly Described[]; markers: readonly Marker[] };
  /** A drag selected [from, to] on x. */
  selected(from: number, to: number): void;
  cursorMoved(plot: uPlot): void;
}

/**
 * The lowest and highest positive value of the lines' min–max bands between `from` and
 * `to` on x (a log scale that held only the lines cut their bands off).
 */
function bandExtent(
  described: readonly Described[],
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): [number | undefined, number | undefined] {
  let low: number | undefined;
  let high: number | undefined;
  for (const { line, raw } of described) {
    if (raw || !line.band) continue;
    const { mins, maxs } = line.band;
    line.xs.forEach((x, i) => {
      if (x < from || x > to) return;
      const min = mins[i] as number;
      const max = maxs[i] as number;
      if (min > 0 && Number.isFinite(min) && (low === undefined || min < low)) low = min;
      if (max > 0 && Number.isFinite(max) && (high === undefined || max > high)) high = max;
    });
  }
  return [low, high];
}

/** The least distance between two labels of a log y axis, in CSS pixels. */
const LABEL_PX = 22;

export function plotOptions(setup: PlotSetup): uPlot.Options {
  const { mode, log } = setup;
  const drawn = setup.described.filter((item) => !item.raw).map((item) => item.line);
  const stepSize = mode === "step" ? stepUnit(drawn) : 1;
  const minSpan = minZoomSpan(mode, stepSize);
  // A zoom narrower than the axis can show (a hand-edited URL) is drawn at the narrowest.
  const range = setup.range && atLeastSpan(setup.range, minSpan);
  // Many lines: hairlines (see MAX_FULL_LINES).
  const lineWidth = runLines(drawn) > MAX_FULL_LINES ? 1 : 1.5;
  const grid = themeColor("--line", "#e1e3e0");
  const text = themeColor("--muted", "#6b6f72");
  const axis = { stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } };
  return {
    width: setup.width,
    height: setup.height,
    legend: { show: false },
    series: [
      { label: xLabel(mode) },
      ...setup.described.map((item) => ({
        label: item.label,
        stroke: strokeOf(item),
        width: item.raw ? 1 : lineWidth,
        ...(item.line.dashed ? { dash: [6, 3] } : {}),
        // A series of one or two points shows them: a line alone would be invisible.
        points: { show: item.line.xs.length <= 2, size: 7, fill: item.color },
      })),
    ],
    scales: {
      x: {
        time: mode === "wall",
        ...(range ? { auto: false, range: [range.from, range.to] as uPlot.Range.MinMax } : {}),
      },
      // Log: over what the lines hold, not whole decades (see logRange).
      y: log
        ? {
            distr: 3,
            range: (plot, min, max) => {
              const x = plot.scales.x;
              const [low, high] = bandExtent(
                setup.shown().described,
                x?.min ?? undefined,
                x?.max ?? undefined,
              );
              // Neither known: logRange's default range.
              return logRange(
                Math.min(low ?? Number.POSITIVE_INFINITY, min ?? Number.POSITIVE_INFINITY),
                Math.max(high ?? Number.NEGATIVE_INFINITY, max ?? Number.NEGATIVE_INFINITY),
              );
            },
          }
        : { distr: 1 },
    },
    axes: [
      {
        ...axis,
        label: xLabel(mode),
        labelSize: 18,
        space: 80,
        ...(mode === "wall" ? {} : { values: mode === "relative" ? durationTicks : ticks }),
        ...(mode === "step" ? { incrs: stepIncrements(stepSize) } : {}),
        ...(mode === "relative" ? { incrs: DURATION_INCREMENTS } : {}),
      },
      {
        ...axis,
        size: 64,
        ...(log
          ? {
              // Round values, as many as the height has room for (logTicksSpaced).
              splits: (plot: uPlot, _axis: number, min: number, max: number) =>
                logTicksSpaced(
                  min,
                  max,
                  LABEL_PX / Math.max(1, plot.bbox.height / (globalThis.devicePixelRatio || 1)),
                ),
              values: (_plot: uPlot, splits: number[]) => splits.map(logTickLabel),
              // uPlot's own log filter would label only some of them (1 and 5 of 1-2-3-5).
              filter: (_plot: uPlot, splits: number[]) => splits,
            }
          : { values: ticks }),
        ...(setup.unit ? { label: setup.unit, labelSize: 18 } : {}),
      },
    ],
    cursor: {
      drag: { x: true, y: false, setScale: false },
      sync: { key: `goodseed-${mode}`, setSeries: false },
    },
    hooks: {
      drawSeries: [
        (plot, seriesIndex) => {
          const item = setup.shown().described[seriesIndex - 1];
          if (item && !item.raw && item.line.band)
            fillBand(plot, item.line.xs, item.line.band, item.color, log);
        },
      ],
      draw: [(plot) => drawMarkers(plot, setup.shown().markers)],
      setSelect: [
        (plot) => {
          if (plot.select.width < 5) return;
          const selection = atLeastSpan(
            {
              from: plot.posToVal(plot.select.left, "x"),
              to: plot.posToVal(plot.select.left + plot.select.width, "x"),
            },
            minSpan,
          );
          plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          setup.selected(selection.from, selection.to);
        },
      ],
      setCursor: [(plot) => setup.cursorMoved(plot)],
    },
  };
}

/**
 * What a plot is built for (lines, axes, size): a render with the same shape only
 * hands uPlot new data (a smoothing step, new live points); another builds a new plot.
 */
export function plotShape(
  setup: Pick<PlotSetup, "mode" | "log" | "width" | "height" | "range" | "described">,
): string {
  return JSON.stringify([
    setup.mode,
    setup.log,
    setup.width,
    setup.height,
    setup.range,
    setup.described.map((item) => [
      item.label,
      item.color,
      item.raw,
      item.line.dashed,
      item.line.xs.length <= 2,
    ]),
  ]);
}
