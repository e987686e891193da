/**
 * The uPlot plot of one chart and the hover list beside it. The plot is built again
 * only when its lines, axes or size change: a smoothing step or new live points hand it
 * new data. Values show while the mouse is over the plot or Shift+arrows move the
 * cursor, and hide when either leaves.
 */

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { readStep } from "./chart-keys.ts";
import { plotOptions, plotShape } from "./chart-plot.ts";
import type { Described, Marker } from "./chart-series.ts";
import { showTip } from "./chart-tip.ts";
import type { XMode } from "./chart-traces.ts";

/** What the plot's hooks draw: its series (with their lines) and the non-finite markers. */
export interface Shown {
  described: Described[];
  markers: Marker[];
}

export interface SurfaceView {
  data: uPlot.AlignedData;
  shown: Shown;
  mode: XMode;
  log: boolean;
  width: number;
  height: number;
  /** The zoomed x range, fixed; otherwise the data's. */
  range: { from: number; to: number } | undefined;
  /** The y axis's unit, if any. */
  unit: string;
  /** A drag selected a range; a double click asked for the whole range (undefined). */
  zoomed(range: { from: number; to: number } | undefined): void;
}

export class ChartSurface {
  readonly #body: HTMLElement;
  readonly #tip: HTMLElement;
  #plot: uPlot | undefined;
  /** Lines, axes and size the plot was built for: anything else needs a new plot. */
  #shape = "";
  #shown: Shown = { described: [], markers: [] };
  #hovered = false;

  /** Draws into `body`; values read from the keyboard hide when the focus leaves `figure`. */
  constructor(figure: HTMLElement, body: HTMLElement, tip: HTMLElement) {
    this.#body = body;
    this.#tip = tip;
    figure.addEventListener("focusout", () => this.#hideTip());
  }

  get plot(): uPlot | undefined {
    return this.#plot;
  }

  get shown(): Shown {
    return this.#shown;
  }

  show(view: SurfaceView): void {
    this.#shown = view.shown;
    const { mode, log, width, height, range } = view;
    const described = view.shown.described;
    const shape = plotShape({ mode, log, width, height, range, described });
    if (this.#plot && shape === this.#shape) {
      this.#plot.setData(view.data);
      return;
    }
    this.#shape = shape;
    const options = plotOptions({
      mode,
      log,
      width,
      height,
      range,
      unit: view.unit,
      described,
      shown: () => this.#shown,
      selected: (from, to) => view.zoomed({ from, to }),
      cursorMoved: (plot) => {
        if (this.#hovered) showTip(this.#tip, plot, this.#shown.described, mode, width);
        else this.#tip.hidden = true;
      },
    });
    this.#plot?.destroy();
    this.#body.replaceChildren();
    const plot = new uPlot(options, view.data, this.#body);
    this.#plot = plot;
    plot.over.addEventListener("dblclick", () => view.zoomed(undefined));
    plot.over.addEventListener("mouseenter", () => {
      this.#hovered = true;
    });
    plot.over.addEventListener("mouseleave", () => this.#hideTip());
  }

  /** Moves the cursor a step along the points (Shift+arrows), showing the values there. */
  stepCursor(direction: -1 | 1): void {
    const plot = this.#plot;
    const cursor = plot ? readStep(plot, direction) : undefined;
    if (!plot || !cursor) return;
    this.#hovered = true;
    plot.setCursor(cursor);
  }

  #hideTip(): void {
    this.#hovered = false;
    this.#tip.hidden = true;
  }

  destroy(): void {
    this.#plot?.destroy();
  }
}
