/**
 * Bucket downsampling of a metric series, exactly as the Python server computes it
 * (FORMAT.md §11): buckets of a power-of-two number of consecutive points, step and
 * value averaged by sequential summation, non-finite values left out of value/min/max.
 */

/** The points of one series in step order, as parallel arrays. */
export interface SeriesRows {
  readonly steps: Float64Array | number[];
  readonly ys: Float64Array | number[];
  readonly ts: Float64Array | number[];
  readonly length: number;
}

export interface Bucket {
  /** Mean of the bucket's steps. */
  readonly step: number;
  /** Mean of its finite values (NaN when none is finite). */
  readonly value: number;
  readonly minY: number;
  readonly maxY: number;
  /** Points in the bucket. */
  readonly count: number;
  /** `ts` of the bucket's middle point. */
  readonly ts: number;
}

/** The smallest power of two `k` with `ceil(length / k) <= maxBuckets`. */
export function bucketSize(length: number, maxBuckets: number): number {
  let k = 1;
  while (Math.ceil(length / k) > maxBuckets) k *= 2;
  return k;
}

/** Buckets of `k` points over rows `[from, to)` of a series. */
export function bucketize(rows: SeriesRows, from: number, to: number, k: number): Bucket[] {
  const buckets: Bucket[] = [];
  const { steps, ys, ts } = rows;
  for (let start = from; start < to; start += k) {
    const end = Math.min(start + k, to);
    let stepSum = 0;
    let sum = 0;
    let finite = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) {
      stepSum += steps[i] as number;
      const y = ys[i] as number;
      if (Number.isFinite(y)) {
        sum += y;
        finite++;
        if (y < min) min = y;
        if (y > max) max = y;
      }
    }
    const count = end - start;
    buckets.push({
      step: stepSum / count,
      value: finite > 0 ? sum / finite : Number.NaN,
      minY: finite > 0 ? min : Number.NaN,
      maxY: finite > 0 ? max : Number.NaN,
      count,
      ts: ts[start + Math.floor(count / 2)] as number,
    });
  }
  return buckets;
}

/**
 * {@link bucketize} fed one point at a time, for a series read piece by piece: the
 * points at positions `[from, to)` are pushed in order and make the same buckets,
 * summed in the same order, so the same bits.
 */
export class BucketStream {
  readonly buckets: Bucket[] = [];
  readonly #to: number;
  readonly #k: number;
  #start: number;
  #size: number;
  #at = 0;
  #stepSum = 0;
  #sum = 0;
  #finite = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #ts = 0;

  constructor(from: number, to: number, k: number) {
    this.#to = to;
    this.#k = k;
    this.#start = from;
    this.#size = Math.min(k, to - from);
  }

  /** The next point (position `from` first). */
  push(step: number, y: number, ts: number): void {
    this.pushColumns([step], [y], [ts], 0, 1);
  }

  /**
   * Points `[from, to)` of the columns, in order: what {@link push} does for each, with
   * the running sums kept in locals, which makes a long series several times faster.
   */
  pushColumns(
    steps: Float64Array | readonly number[],
    ys: Float64Array | readonly number[],
    ts: Float64Array | readonly number[],
    from: number,
    to: number,
  ): void {
    let at = this.#at;
    let size = this.#size;
    let stepSum = this.#stepSum;
    let sum = this.#sum;
    let finite = this.#finite;
    let min = this.#min;
    let max = this.#max;
    let middle = this.#ts;
    let half = Math.floor(size / 2);
    for (let i = from; i < to; i++) {
      stepSum += steps[i] as number;
      const y = ys[i] as number;
      // y - y is 0 exactly when y is finite (NaN for NaN and ±Infinity).
      if (y - y === 0) {
        sum += y;
        finite++;
        if (y < min) min = y;
        if (y > max) max = y;
      }
      if (at === half) middle = ts[i] as number;
      if (++at < size) continue;
      this.buckets.push({
        step: stepSum / size,
        value: finite > 0 ? sum / finite : Number.NaN,
        minY: finite > 0 ? min : Number.NaN,
        maxY: finite > 0 ? max : Number.NaN,
        count: size,
        ts: middle,
      });
      this.#start += size;
      size = Math.min(this.#k, this.#to - this.#start);
      half = Math.floor(size / 2);
      at = 0;
      stepSum = 0;
      sum = 0;
      finite = 0;
      min = Number.POSITIVE_INFINITY;
      max = Number.NEGATIVE_INFINITY;
    }
    this.#at = at;
    this.#size = size;
    this.#stepSum = stepSum;
    this.#sum = sum;
    this.#finite = finite;
    this.#min = min;
    this.#max = max;
    this.#ts = middle;
  }
}
