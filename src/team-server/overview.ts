/**
 * A series' overview: the buckets of FORMAT.md's downsampling of the whole series at
 * every power-of-two bucket size from {@link MIN_SHIFT} up, each summed exactly as the
 * read API sums them, with the first and last points. A first view of a long series
 * that asks for the whole of it is then answered from a few hundred kilobytes instead
 * of every chunk, to the byte what the whole series answers. It is computed in the
 * background (overview-keeper.ts) for one version of the series and used only while
 * the series is at that version.
 *
 * Layout: float64s, little-endian: format, point count, the first level's shift, the
 * number of levels, the first point (step, y, ts), the last point; then for each level
 * its bucket count B and five columns of B: step, value, minY, maxY, ts.
 */

import type { Bucket, SeriesRows } from "../storage/downsample.ts";
import { BucketStream, bucketSize } from "../storage/downsample.ts";

const FORMAT = 1;
const HEADER = 10;
/** The smallest bucket kept: 2^7 = 128 points (about 0.6 bytes a point in all). */
export const MIN_SHIFT = 7;

/**
 * The overview of `rows` (timestamps in whole seconds, as the read API answers them),
 * awaiting `between` after each level.
 */
export async function buildOverview(
  rows: SeriesRows,
  minShift = MIN_SHIFT,
  between: () => Promise<void> = async () => {},
): Promise<Uint8Array> {
  const n = rows.length;
  const levels: Bucket[][] = [];
  for (let k = 2 ** minShift; ; k *= 2) {
    const stream = new BucketStream(0, n, k);
    stream.pushColumns(rows.steps, rows.ys, rows.ts, 0, n);
    levels.push(stream.buckets);
    if (Math.ceil(n / k) <= 1) break;
    await between();
  }
  const size = HEADER + levels.reduce((sum, level) => sum + 1 + 5 * level.length, 0);
  const out = new Float64Array(size);
  const last = n - 1;
  out.set([FORMAT, n, minShift, levels.length]);
  out.set([rows.steps[0] ?? 0, rows.ys[0] ?? 0, rows.ts[0] ?? 0], 4);
  out.set([rows.steps[last] ?? 0, rows.ys[last] ?? 0, rows.ts[last] ?? 0], 7);
  let at = HEADER;
  for (const level of levels) {
    const count = level.length;
    out[at] = count;
    for (let b = 0; b < count; b++) {
      const bucket = level[b] as Bucket;
      out[at + 1 + b] = bucket.step;
      out[at + 1 + count + b] = bucket.value;
      out[at + 1 + 2 * count + b] = bucket.minY;
      out[at + 1 + 3 * count + b] = bucket.maxY;
      out[at + 1 + 4 * count + b] = bucket.ts;
    }
    at += 1 + 5 * count;
  }
  return new Uint8Array(out.buffer);
}

/** What an overview answers a view with. */
export interface OverviewAnswer {
  readonly total: number;
  readonly buckets: Bucket[];
  readonly first: { step: number; y: number; ts: number };
  readonly last: { step: number; y: number; ts: number };
}

/** Points an overview covers (0 for a body that is not one). */
export function overviewTotal(body: Uint8Array): number {
  if (body.byteLength < HEADER * 8) return 0;
  const header = new Float64Array(body.buffer.slice(body.byteOffset, body.byteOffset + HEADER * 8));
  return header[0] === FORMAT ? (header[1] as number) : 0;
}

/**
 * The buckets of the whole series downsampled to `pointCount` (when that is a
 * bucketed view, of a bucket size the overview keeps), or undefined.
 */
export function overviewBuckets(body: Uint8Array, pointCount: number): OverviewAnswer | undefined {
  if (body.byteLength % 8 !== 0 || body.byteLength < HEADER * 8) return undefined;
  // A copy: the body's bytes need not be aligned for a Float64Array over them.
  const all = new Float64Array(
    body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
  );
  const [format, n, minShift, levels] = all as unknown as [number, number, number, number];
  if (format !== FORMAT || n <= pointCount) return undefined;
  const k = bucketSize(n, pointCount);
  const level = Math.log2(k) - minShift;
  if (level < 0 || level >= levels) return undefined;
  let at = HEADER;
  for (let l = 0; l < level; l++) at += 1 + 5 * (all[at] as number);
  const count = all[at] as number;
  const buckets: Bucket[] = new Array(count);
  for (let b = 0; b < count; b++)
    buckets[b] = {
      step: all[at + 1 + b] as number,
      value: all[at + 1 + count + b] as number,
      minY: all[at + 1 + 2 * count + b] as number,
      maxY: all[at + 1 + 3 * count + b] as number,
      count: Math.min(k, n - b * k),
      ts: all[at + 1 + 4 * count + b] as number,
    };
  return {
    total: n,
    buckets,
    first: { step: all[4] as number, y: all[5] as number, ts: all[6] as number },
    last: { step: all[7] as number, y: all[8] as number, ts: all[9] as number },
  };
}
