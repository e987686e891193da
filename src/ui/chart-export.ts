/**
 * A chart as a file: CSV of its series (every logged point, of the whole series or of
 * the zoomed range) and PNG of what it draws with its legend under it.
 */

import type { Line } from "./chart-lines.ts";
import { csvField } from "./table-export.ts";

/** One row of the CSV: a logged point of one line. */
export interface CsvPoint {
  run: string;
  project: string;
  path: string;
  step: number;
  loggedAt: string;
  value: number;
}

/** Long format (one row per point), so runs of different lengths need no padding. */
export function toCsv(points: readonly CsvPoint[]): string {
  const rows = ["project,run,path,step,logged_at,value"];
  for (const point of points) {
    const value = Number.isNaN(point.value)
      ? "NaN"
      : point.value === Number.POSITIVE_INFINITY
        ? "Infinity"
        : point.value === Number.NEGATIVE_INFINITY
          ? "-Infinity"
          : String(point.value);
    rows.push(
      [point.project, point.run, point.path, String(point.step), point.loggedAt, value]
        .map(csvField)
        .join(","),
    );
  }
  return `${rows.join("\n")}\n`;
}

/** A file name from a chart key: `train/loss` → `train-loss`. */
export function fileName(key: string, extension: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-|-$/g, "") || "chart"}.${extension}`;
}

/**
 * The chart's canvas on a white (or theme) background, its title above and a legend
 * of every line below, wrapped to the chart's width.
 */
export function chartPng(
  canvas: HTMLCanvasElement,
  title: string,
  lines: readonly Pick<Line, "label" | "color" | "dashed">[],
  background: string,
  foreground: string,
): Promise<Blob> {
  const ratio = canvas.width / (canvas.clientWidth || canvas.width);
  const font = 12 * ratio;
  const pad = 8 * ratio;
  const scratch = document.createElement("canvas").getContext("2d") as CanvasRenderingContext2D;
  scratch.font = `${font}px sans-serif`;
  // Lay the legend out in rows that fit the width.
  const rows: { x: number; line: Pick<Line, "label" | "color" | "dashed"> }[][] = [[]];
  // Each line's sample is a short stroke in its style, dashed for a dashed process line.
  const sample = font * 1.8;
  let x = pad;
  for (const line of lines) {
    const width = sample + font * 0.4 + scratch.measureText(line.label).width + pad * 2;
    if (x + width > canvas.width && x > pad) {
      rows.push([]);
      x = pad;
    }
    rows[rows.length - 1]?.push({ x, line });
    x += width;
  }
  const titleHeight = font * 2;
  const rowHeight = font * 1.6;
  const out = document.createElement("canvas");
  out.width = canvas.width;
  out.height = titleHeight + canvas.height + pad + rows.length * rowHeight + pad;
  const ctx = out.getContext("2d") as CanvasRenderingContext2D;
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = foreground;
  ctx.font = `bold ${font}px sans-serif`;
  ctx.textBaseline = "middle";
  ctx.fillText(title, pad, titleHeight / 2);
  ctx.drawImage(canvas, 0, titleHeight);
  ctx.font = `${font}px sans-serif`;
  rows.forEach((row, index) => {
    const y = titleHeight + canvas.height + pad + index * rowHeight + rowHeight / 2;
    for (const item of row) {
      ctx.strokeStyle = item.line.color;
      ctx.lineWidth = 2.5 * ratio;
      ctx.setLineDash(item.line.dashed ? [5 * ratio, 3 * ratio] : []);
      ctx.beginPath();
      ctx.moveTo(item.x, y);
      ctx.lineTo(item.x + sample, y);
      ctx.stroke();
      ctx.fillStyle = foreground;
      ctx.fillText(item.line.label, item.x + sample + font * 0.4, y);
    }
  });
  return new Promise((resolve, reject) =>
    out.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error("the PNG could not be made"))),
      "image/png",
    ),
  );
}
