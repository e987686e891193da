/**
 * Ticks of log axes, so that a reader sees the scale, not three arbitrary values. Pure.
 * - `logTickValues` (the sweep views): powers of ten (1e-7, 1e-6, …, 0.1) where the
 *   range spans decades, thinned to every second or third decade when there are too
 *   many, and 1…9, 1-1.5-2-3-5-7, 1-2-3-5 or 1-2-5 steps where it spans less;
 * - `logTicksSpaced` (charts): round values wherever a label has room.
 */

/** Mantissas tried from the richest to the plainest: the first set that fits is used. */
const MANTISSAS: readonly (readonly number[])[] = [
  [1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 1.5, 2, 3, 5, 7],
  [1, 2, 3, 5],
  [1, 2, 5],
  [1],
];

/** Slack for values that are a power of ten but read back from a float as a hair off. */
const EPSILON = 1e-9;

/**
 * Values for the ticks of a log axis over `[min, max]`, at most `maxCount` (at least 2),
 * ascending. Empty when the range holds no positive numbers.
 *
 * @example logTickValues(1e-7, 0.3) // [1e-7, 1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1]
 */
export function logTickValues(min: number, max: number, maxCount = 8): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const limit = Math.max(2, Math.floor(maxCount));
  const low = Math.floor(Math.log10(min) + EPSILON);
  const high = Math.floor(Math.log10(max) + EPSILON);
  const inside = (value: number) => value >= min * (1 - EPSILON) && value <= max * (1 + EPSILON);
  for (const mantissas of MANTISSAS) {
    const values: number[] = [];
    for (let exponent = low; exponent <= high; exponent++)
      for (const mantissa of mantissas) {
        const value = Number(`${mantissa}e${exponent}`);
        if (inside(value)) values.push(value);
      }
    if (values.length >= 2 && values.length <= limit) return values;
  }
  const decades: number[] = [];
  for (let exponent = low; exponent <= high; exponent++)
    if (inside(Number(`1e${exponent}`))) decades.push(exponent);
  if (decades.length > limit) {
    // Every k-th decade, on multiples of k so that the labels read as a pattern (1e-6, 1e-3, 1).
    const every = Math.ceil(decades.length / limit);
    const kept = decades.filter((exponent) => ((exponent % every) + every) % every === 0);
    return kept.map((exponent) => Number(`1e${exponent}`));
  }
  // Less than a decade with no round values inside (0.31…0.34): the ends.
  return min === max ? [min] : [min, max];
}

/** Mantissas in the order a chart's log axis takes them: the roundest first. */
const BY_ROUNDNESS = [1, 5, 2, 3, 7, 1.5, 4, 6, 8, 9];

/**
 * Ticks of a chart's log axis over `[min, max]`, ascending, none nearer another than
 * `gap` (a fraction of the axis, a label's height over the plot's): round values are
 * taken first (1, 5, 2, 3, …, each decade from the bottom up) wherever they leave that
 * gap, so the axis is labelled along its whole height, not only where its round values
 * cluster. A range with no such value inside gets `logTickValues`' ends.
 *
 * @example logTicksSpaced(0.3, 1.1, 0.16) // [0.3, 0.4, 0.5, 0.7, 1]
 */
export function logTicksSpaced(min: number, max: number, gap: number): number[] {
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) return logTickValues(min, max);
  const low = Math.floor(Math.log10(min) + EPSILON);
  const high = Math.floor(Math.log10(max) + EPSILON);
  const span = Math.log10(max) - Math.log10(min);
  if (high - low > 400) return logTickValues(min, max, Math.max(2, 1 / gap));
  const room = Math.max(0, gap) * span;
  const kept: number[] = [];
  for (const mantissa of BY_ROUNDNESS)
    for (let exponent = low; exponent <= high; exponent++) {
      const value = Number(`${mantissa}e${exponent}`);
      if (value < min * (1 - EPSILON) || value > max * (1 + EPSILON)) continue;
      const at = Math.log10(value);
      if (kept.every((other) => Math.abs(Math.log10(other) - at) >= room)) kept.push(value);
    }
  if (kept.length < 2) return logTickValues(min, max, Math.max(2, 1 / gap));
  return kept.sort((a, b) => a - b);
}

/**
 * A tick's label, short and readable: plain decimals from 0.001 to 10000, powers of
 * ten as `1e-7`, other values as `3e-7`.
 */
export function logTickLabel(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)) + EPSILON);
  if (exponent >= -3 && exponent <= 4) return String(Number(value.toPrecision(3)));
  const mantissa = Number((value / 10 ** exponent).toPrecision(2));
  return `${mantissa}e${exponent}`;
}
