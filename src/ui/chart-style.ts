/** How a chart looks: axis labels for each x mode, theme colours, bands and non-finite markers. */

import type uPlot from "uplot";
import { durationLabel, tickLabels } from "./chart-math.ts";
import type { Marker } from "./chart-series.ts";
import type { XMode } from "./chart-traces.ts";

/** Tick labels that stay distinct at any zoom and readable from 1e-9 to 1e12. */
export function ticks(
  _plot: uPlot,
  splits: number[],
  _axis: number,
  _space: number,
  increment: number,
): string[] {
  return tickLabels(splits, increment);
}

export function durationTicks(
  _plot: uPlot,
  splits: number[],
  _axis: number,
  _space: number,
  increment: number,
): string[] {
  return splits.map((value) => durationLabel(value, increment));
}

/** The local time zone's name, for the label of a wall-clock axis. */
export function localZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = -new Date().getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const hours = Math.floor(Math.abs(offset) / 60);
  const minutes = Math.abs(offset) % 60;
  const utc = `UTC${offset === 0 ? "" : `${sign}${hours}${minutes ? `:${String(minutes).padStart(2, "0")}` : ""}`}`;
  return !zone || zone === "UTC" ? utc : `${zone}, ${utc}`;
}

/** The x axis's label. */
export function xLabel(mode: XMode): string {
  if (mode === "step") return "step";
  if (mode === "relative") return "time since run start";
  return `local time (${localZone()})`;
}

/** A number as the hover list shows it. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e7)) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

/** Theme colours read, by scheme and name: reading one forces the page's style to be computed. */
const themeColors = new Map<string, string>();
let darkScheme: MediaQueryList | undefined;

/**
 * A colour of the page's theme (a CSS custom property of the root), read once per
 * colour scheme: each chart built in a page still being laid out would otherwise
 * recompute the whole page's style.
 */
export function themeColor(name: string, fallback: string): string {
  darkScheme ??= matchMedia("(prefers-color-scheme: dark)");
  const key = `${darkScheme.matches ? "dark" : "light"}\u0000${name}`;
  let color = themeColors.get(key);
  if (color === undefined) {
    color = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
    themeColors.set(key, color);
  }
  return color;
}

/** Fills the band between a line's min and max values, in its colour. */
export function fillBand(
  plot: uPlot,
  xs: readonly number[],
  band: { mins: readonly number[]; maxs: readonly number[] },
  color: string,
  log: boolean,
): void {
  const ctx = plot.ctx;
  const upper: [number, number][] = [];
  const lower: [number, number][] = [];
  const usable = (value: number | undefined) =>
    value !== undefined && Number.isFinite(value) && (!log || value > 0);
  for (let i = 0; i < xs.length; i++) {
    const min = band.mins[i];
    const max = band.maxs[i];
    if (!usable(min) || !usable(max)) continue;
    const x = plot.valToPos(xs[i] as number, "x", true);
    upper.push([x, plot.valToPos(max as number, "y", true)]);
    lower.push([x, plot.valToPos(min as number, "y", true)]);
  }
  if (upper.length < 2) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.bbox.left, plot.bbox.top, plot.bbox.width, plot.bbox.height);
  ctx.clip();
  ctx.beginPath();
  for (const [index, [x, y]] of upper.entries()) {
    if (index === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  for (let i = lower.length - 1; i >= 0; i--) ctx.lineTo(...(lower[i] as [number, number]));
  ctx.closePath();
  ctx.fillStyle = `${color}33`;
  ctx.fill();
  ctx.restore();
}

/**
 * Marks non-finite points where they were logged: ▲ on the top edge for +Infinity,
 * ▼ on the bottom edge for -Infinity, a hollow ◆ on the bottom edge for NaN.
 */
export function drawMarkers(plot: uPlot, markers: readonly Marker[]): void {
  if (markers.length === 0) return;
  const ctx = plot.ctx;
  const { left, top, width, height } = plot.bbox;
  const size = 5 * devicePixelRatio;
  ctx.save();
  ctx.lineWidth = 1.5 * devicePixelRatio;
  for (const marker of markers) {
    const x = plot.valToPos(marker.x, "x", true);
    if (x < left - 1 || x > left + width + 1) continue;
    ctx.beginPath();
    ctx.fillStyle = marker.color;
    ctx.strokeStyle = marker.color;
    if (marker.kind === "+inf") {
      ctx.moveTo(x, top);
      ctx.lineTo(x - size, top + size * 1.6);
      ctx.lineTo(x + size, top + size * 1.6);
      ctx.closePath();
      ctx.fill();
    } else if (marker.kind === "-inf") {
      const bottom = top + height;
      ctx.moveTo(x, bottom);
      ctx.lineTo(x - size, bottom - size * 1.6);
      ctx.lineTo(x + size, bottom - size * 1.6);
      ctx.closePath();
      ctx.fill();
    } else {
      const y = top + height - size * 1.2;
      ctx.moveTo(x, y - size);
      ctx.lineTo(x + size, y);
      ctx.lineTo(x, y + size);
      ctx.lineTo(x - size, y);
      ctx.closePath();
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** Background and text colours of the page's theme, for a chart's PNG. */
export function pngColors(): [background: string, foreground: string] {
  return [themeColor("--bg", "#ffffff"), themeColor("--fg", "#1d2125")];
}
