/** How a chart looks: tick labels, theme colours, and the min/max envelope of downsampled runs. */

import type uPlot from "uplot";

/** Tick labels that stay readable from 1e-9 to 1e12: four significant digits. */
export function ticks(_plot: uPlot, splits: number[]): string[] {
  return splits.map((value) => {
    if (value === null || value === undefined) return "";
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6))
      return value.toExponential(2).replace(/\.?0+e/, "e");
    return String(Number(value.toPrecision(4)));
  });
}

export function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Fills the band between a run's min and max values, in its colour. */
export function fillEnvelope(
  plot: uPlot,
  xs: number[],
  envelope: { color: string; mins: (number | null)[]; maxs: (number | null)[] },
): void {
  const ctx = plot.ctx;
  const upper: [number, number][] = [];
  const lower: [number, number][] = [];
  for (let i = 0; i < xs.length; i++) {
    const min = envelope.mins[i];
    const max = envelope.maxs[i];
    if (min === null || min === undefined || max === null || max === undefined) continue;
    const x = plot.valToPos(xs[i] as number, "x", true);
    upper.push([x, plot.valToPos(max, "y", true)]);
    lower.push([x, plot.valToPos(min, "y", true)]);
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
  ctx.fillStyle = `${envelope.color}33`;
  ctx.fill();
  ctx.restore();
}
