/**
 * The controls above the charts: the chart filter, the smoothing slider with its value,
 * the x axis of all charts and "Reset zoom". They write the chart view; the board does
 * the rest through `ControlsHost`.
 */

import type { XMode } from "./chart-traces.ts";
import type { ChartView } from "./chart-view.ts";
import { h } from "./dom.ts";

/** What the board does when a control moves. */
export interface ControlsHost {
  /** Writes the chart view to the URL: a new history entry when `push`. */
  commit(push: boolean): void;
  /** Applies filter, collapsed sections and the enlarged chart to the page. */
  layout(): void;
  /** Redraws every drawn chart from what it holds. */
  rerender(): void;
  /** Every chart takes the view's axis and zoom again. */
  applyZoom(): void;
  /** "Reset zoom" was pressed. */
  resetZoom(): void;
}

export class ChartControls {
  readonly element: HTMLElement;
  readonly #filter: HTMLInputElement;
  readonly #smoothing: HTMLInputElement;
  readonly #smoothingText = h("output", { class: "smoothing-value" });
  readonly #mode: HTMLSelectElement;
  readonly #resetZoom: HTMLButtonElement;
  #frame = 0;

  constructor(view: ChartView, host: ControlsHost) {
    this.#filter = h("input", {
      type: "search",
      class: "chart-filter",
      placeholder: "Filter charts",
      "aria-label": "Filter charts by path",
      value: view.filter,
      oninput: () => {
        view.filter = this.#filter.value;
        host.commit(false);
        host.layout();
      },
    });
    this.#smoothing = h("input", {
      type: "range",
      min: 0,
      max: 0.99,
      step: 0.01,
      value: view.smoothing,
      "aria-label": "Smoothing",
      oninput: () => {
        view.smoothing = Number(this.#smoothing.value);
        this.#smoothingText.textContent = view.smoothing.toFixed(2);
        host.commit(false);
        // One redraw per frame however fast the slider moves.
        cancelAnimationFrame(this.#frame);
        this.#frame = requestAnimationFrame(() => {
          // Timed for devtools and scripts/bench-ui.ts: the redraw, uPlot's included
          // (it draws in a microtask queued before the one that ends the measure).
          performance.mark("goodseed:smoothing");
          host.rerender();
          queueMicrotask(() => performance.measure("goodseed:smoothing", "goodseed:smoothing"));
        });
      },
    });
    this.#smoothingText.textContent = view.smoothing.toFixed(2);
    this.#mode = h(
      "select",
      {
        class: "board-x",
        "aria-label": "x axis of all charts",
        onchange: () => {
          view.x = this.#mode.value as XMode;
          host.commit(true);
          host.applyZoom();
        },
      },
      h("option", { value: "step" }, "step"),
      h("option", { value: "relative" }, "relative time"),
      h("option", { value: "wall" }, "wall time (local)"),
    );
    this.#mode.value = view.x;
    this.#resetZoom = h(
      "button",
      { type: "button", onclick: () => host.resetZoom(), hidden: !view.zoom },
      "Reset zoom",
    );
    this.element = h(
      "div",
      { class: "chart-controls" },
      this.#filter,
      h("label", {}, "Smoothing ", this.#smoothing, this.#smoothingText),
      h("label", {}, "X axis ", this.#mode),
      this.#resetZoom,
    );
  }

  /** Shows "Reset zoom" only while the charts are zoomed. */
  set zoomed(on: boolean) {
    this.#resetZoom.hidden = !on;
  }

  /** Shows what `view` holds (Back or Forward to another view). */
  show(view: ChartView): void {
    this.#filter.value = view.filter;
    this.#smoothing.value = String(view.smoothing);
    this.#smoothingText.textContent = view.smoothing.toFixed(2);
    this.#mode.value = view.x;
    this.#resetZoom.hidden = !view.zoom;
  }
}
