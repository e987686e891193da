/**
 * The first view of a large series, written without holding it: each chunk is decoded
 * in turn into scratch room and its points fed to the buckets of FORMAT.md's
 * downsampling, in the order the whole series would have them, so the answer is the
 * one the whole series gives, to the byte.
 */

import { bucketedBody, type SeriesPoint } from "../server/bodies.ts";
import { BucketStream, bucketSize } from "../storage/downsample.ts";
import { decodeChunkSecondsInto } from "./chunk-codec.ts";
import { bytesOf, type ChunkRow } from "./chunk-rows.ts";

/** Reusable room to decode one chunk into (decoding never awaits, so one serves all). */
let scratch = { steps: new Float64Array(0), ys: new Float64Array(0), ts: new Float64Array(0) };

/**
 * The downsampled answer for chunks in order holding `total` points, positions
 * `first..last` of them (more than `pointCount`), each chunk decoded in turn into
 * scratch room and its points fed to the buckets: the series is never held whole.
 */
export function streamedView(
  ordered: readonly ChunkRow[],
  total: number,
  path: string,
  first: number,
  last: number,
  pointCount: number,
): string {
  const buckets = new BucketStream(first, last + 1, bucketSize(last - first + 1, pointCount));
  let firstPoint: SeriesPoint | undefined;
  let lastPoint: SeriesPoint | undefined;
  let at = 0;
  for (const chunk of ordered) {
    const count = Number(chunk.point_count);
    if (at + count <= first) {
      at += count;
      continue;
    }
    if (at > last) break;
    if (scratch.steps.length < count)
      scratch = {
        steps: new Float64Array(count),
        ys: new Float64Array(count),
        ts: new Float64Array(count),
      };
    const decoded = decodeChunkSecondsInto(bytesOf(chunk.body), scratch, 0);
    if (decoded !== count)
      throw new Error(`metric chunk ${chunk.id} holds ${decoded} points, not ${count}`);
    const { steps, ys, ts } = scratch;
    const end = Math.min(count, last + 1 - at);
    for (let i = Math.max(0, first - at); i < end; i++) {
      const step = steps[i] as number;
      const y = ys[i] as number;
      const t = ts[i] as number;
      if (at + i === first) firstPoint = { step, y, ts: t };
      if (at + i === last) lastPoint = { step, y, ts: t };
      buckets.push(step, y, t);
    }
    at += count;
  }
  return bucketedBody(path, total, { first, last }, buckets.buckets, {
    first: firstPoint as SeriesPoint,
    last: lastPoint as SeriesPoint,
  });
}
