/**
 * From lines to what uPlot is handed: per line a smoothed series (and the raw one,
 * faint, when smoothing), values a scale cannot show as gaps, the non-finite points as
 * markers, and all of it aligned on one x column.
 */

import type { Line } from "./chart-lines.ts";
import { alignLines, type EmaState, smooth } from "./chart-math.ts";

/** A point a line could not draw: NaN, +Infinity or -Infinity, at its x. */
export interface Marker {
  x: number;
  kind: "nan" | "+inf" | "-inf";
  color: string;
}

/** A series handed to uPlot: a line, smoothed or (faint) raw. */
export interface Described {
  label: string;
  color: string;
  /** The raw line drawn faint behind its smoothed one. */
  raw: boolean;
  line: Line;
}

export interface PlotSeries {
  /** x column, then one column per described series (undefined: not logged there). */
  data: [number[], ...(number | null | undefined)[][]];
  described: Described[];
  markers: Marker[];
}

/** Lines as uPlot series at smoothing `weight`, on a log scale or not. */
export function plotSeries(
  lines: readonly Line[],
  weight: number,
  log: boolean,
  /** Where each line's smoothing starts (a zoomed range: the average before it). */
  before?: (line: Line) => EmaState | undefined,
): PlotSeries {
  const usable = (value: number): number | null =>
    Number.isFinite(value) && (!log || value > 0) ? value : null;
  const markers: Marker[] = [];
  const drawn: { xs: number[]; ys: (number | null)[] }[] = [];
  const described: Described[] = [];
  const mark = (x: number, value: number, color: string) =>
    markers.push({ x, kind: Number.isNaN(value) ? "nan" : value > 0 ? "+inf" : "-inf", color });
  for (const line of lines) {
    // Those inside downsampled buckets, which the buckets' figures leave out. A bucket
    // of nothing but such points has a non-finite figure too: its points are marked
    // from here, not the bucket again (past the last one listed, the list was cut short:
    // the bucket is marked).
    const hidden = line.hidden;
    const hiddenAt = hidden ? new Set(hidden.xs) : undefined;
    const lastHidden = hidden?.xs[hidden.xs.length - 1] ?? Number.NEGATIVE_INFINITY;
    if (hidden)
      for (let i = 0; i < hidden.xs.length; i++)
        mark(hidden.xs[i] as number, hidden.ys[i] as number, line.color);
    for (let i = 0; i < line.ys.length; i++) {
      const value = line.ys[i] as number;
      if (Number.isFinite(value)) continue;
      const x = line.xs[i] as number;
      if (hiddenAt && (hiddenAt.has(x) || ((line.counts[i] ?? 1) > 1 && x <= lastHidden))) continue;
      mark(x, value, line.color);
    }
    if (weight > 0) {
      drawn.push({ xs: line.xs, ys: line.ys.map(usable) });
      described.push({ label: `${line.label} (raw)`, color: line.color, raw: true, line });
    }
    const smoothed = smooth(line.ys, weight, line.counts, weight > 0 ? before?.(line) : undefined);
    drawn.push({ xs: line.xs, ys: smoothed.map(usable) });
    described.push({ label: line.label, color: line.color, raw: false, line });
  }
  return { data: alignLines(drawn), described, markers };
}

/** The colour a series is stroked with: a raw line behind a smoothed one is faint. */
export function strokeOf(item: Pick<Described, "color" | "raw">): string {
  return item.raw ? `${item.color}40` : item.color;
}
