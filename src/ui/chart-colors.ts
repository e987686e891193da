/**
 * The run palette and the distance between two of its colours: 30 colours picked by
 * farthest-point sampling in OKLab (lightness 0.50–0.78 so that lines read on light and
 * dark backgrounds, chroma 0.08–0.19, hues 60°–320°: no red, which the page keeps for
 * "failed", and no pink next to it). The closest two are 0.084 apart in OKLab.
 *
 * Runs are dealt the colours in this order, round and round (`run-colors.ts`): it was
 * arranged (by simulated annealing) so that colours near each other on the cycle look
 * different: any two of 4 neighbours are at least 0.149 apart, next neighbours 0.167.
 */

export const RUN_COLORS = [
  "#3c9182",
  "#6ed255",
  "#e687ff",
  "#6e73c3",
  "#ff9b00",
  "#1e7800",
  "#a07346",
  "#73b9a0",
  "#9696ff",
  "#8737af",
  "#0082b9",
  "#05a537",
  "#a078aa",
  "#cd7305",
  "#beb95f",
  "#466496",
  "#9164e6",
  "#737d32",
  "#cda5d7",
  "#32a0d2",
  "#0abe78",
  "#5050cd",
  "#c89669",
  "#147364",
  "#c36ed7",
  "#965500",
  "#875a96",
  "#377df0",
  "#a09600",
  "#5ac3ff",
] as const;

/** The failed status's red (light theme): no run colour comes near it. */
export const FAILED_RED = "#b3261e";

function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** A `#rrggbb` colour in OKLab: [lightness, a, b]. */
export function oklab(hex: string): [number, number, number] {
  const [r, g, b] = [1, 3, 5].map((at) => linear(Number.parseInt(hex.slice(at, at + 2), 16))) as [
    number,
    number,
    number,
  ];
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

/** How different two colours look: Euclidean distance in OKLab (0.02 is barely visible). */
export function colorDistance(a: string, b: string): number {
  const x = oklab(a);
  const y = oklab(b);
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

/** FNV-1a over the key's UTF-16 units: cheap, stable, well spread. */
export function hash(key: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    value ^= key.charCodeAt(i);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}
