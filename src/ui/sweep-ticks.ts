/**
 * Ticks of a log axis, in the sweep views and on charts: powers of ten (1e-7, 1e-6, …, 0.1) where
 * the range spans decades, thinned to every second or third decade when there are
 * too many, and 1-2-5, 1-2-3-5, 1-1.5-2-3-5-7 or 1…9 steps where it spans less, so that a reader sees the
 * scale, not three arbitrary values. Pure.
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
