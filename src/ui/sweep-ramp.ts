/**
 * The colours of the parallel coordinates: a run's line is coloured by its value of the
 * chosen metric, blue (low) to amber (high), as W&B does; the key says so.
 */

import { h } from "./dom.ts";

const LOW_HUE = 230;
const HIGH_HUE = 40;

/** The colour of a position (0 low … 1 high) on the metric's axis; muted without one. */
export function ramp(position: number | undefined): string {
  if (position === undefined) return "var(--muted)";
  const hue = LOW_HUE - (LOW_HUE - HIGH_HUE) * position;
  return `hsl(${hue.toFixed(0)} 75% 50%)`;
}

/** "Line colour: val/loss (min) low ▬ high", for the toolbar above the views. */
export function rampKey(metric: string): HTMLElement {
  const stops = [0, 0.25, 0.5, 0.75, 1].map((p) => ramp(p)).join(", ");
  return h(
    "span",
    { class: "ramp-key", title: "The parallel coordinates colour each run by this metric" },
    `Line colour: ${metric} low `,
    h("span", { class: "ramp", style: `background:linear-gradient(to right, ${stops})` }),
    " high",
  );
}
