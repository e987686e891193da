/**
 * The first view of a large series, written without holding it: each chunk is decoded
 * in turn into scratch room and its points fed to the buckets of FORMAT.md's
 * downsampling, in the order the whole series would have them, so the answer is the
 * one the whole series gives, to the byte.
 */

import { bucketedBody, type SeriesPoint } from "../server/bodies.ts";
import { BucketStream, bucketSize } from "../storage/downsample.ts";
import { decodeChunkSecondsInto } from "./chunk-codec.ts";
import { bytesOf } from "./chunk-rows.ts";

/** Reusable room to decode one chunk into (decoding never awaits, so one serves all). */
let scratch = { steps: new Float64Array(0), ys: new Float64Array(0), ts: new Float64Array(0) };

const pointAt = (columns: typeof scratch, i: number): SeriesPoint => ({
  step: columns.steps[i] as number,
  y: columns.ys[i] as number,
  ts: columns.ts[i] as number,
});

/** A chunk as the view takes it, in the order of its points. */
export interface ViewChunk {
  readonly id: number;
  readonly point_count: number;
  readonly body: Uint8Array;
}

/**
 * The downsampled answer for a series of `total` points, positions `first..last` of
 * them (more than `pointCount`), fed its chunks in order: each is decoded in turn into
 * scratch room and its points pushed to the buckets, so the series is never held whole.
 */
export class StreamedView {
  readonly #buckets: BucketStream;
  #first: SeriesPoint | undefined;
  #last: SeriesPoint | undefined;
  /** Position of the next chunk's first point. */
  #at = 0;

  constructor(
    readonly path: string,
    readonly total: number,
    readonly first: number,
    readonly last: number,
    pointCount: number,
  ) {
    this.#buckets = new BucketStream(first, last + 1, bucketSize(last - first + 1, pointCount));
  }

  /** The next chunk's points; a chunk wholly outside `first..last` only counts. */
  feed(chunk: ViewChunk): void {
    const count = Number(chunk.point_count);
    const at = this.#at;
    this.#at += count;
    if (at + count <= this.first || at > this.last) return;
    if (scratch.steps.length < count)
      scratch = {
        steps: new Float64Array(count),
        ys: new Float64Array(count),
        ts: new Float64Array(count),
      };
    const decoded = decodeChunkSecondsInto(bytesOf(chunk.body), scratch, 0);
    if (decoded !== count)
      throw new Error(`metric chunk ${chunk.id} holds ${decoded} points, not ${count}`);
    const from = Math.max(0, this.first - at);
    const end = Math.min(count, this.last + 1 - at);
    if (at + from === this.first) this.#first = pointAt(scratch, from);
    if (at + end - 1 === this.last) this.#last = pointAt(scratch, end - 1);
    this.#buckets.pushColumns(scratch.steps, scratch.ys, scratch.ts, from, end);
  }

  /** The answer's JSON text, once every chunk up to `last` was fed. */
  body(): string {
    return bucketedBody(
      this.path,
      this.total,
      { first: this.first, last: this.last },
      this.#buckets.buckets,
      {
        first: this.#first as SeriesPoint,
        last: this.#last as SeriesPoint,
      },
    );
  }
}

/** {@link StreamedView} of chunks at hand, in order. */
export function streamedView(
  ordered: readonly ViewChunk[],
  total: number,
  path: string,
  first: number,
  last: number,
  pointCount: number,
): string {
  const view = new StreamedView(path, total, first, last, pointCount);
  for (const chunk of ordered) view.feed(chunk);
  return view.body();
}
