/**
 * The packed form of a run of metric points: steps, values and timestamps as three
 * columns. Two forms, told apart by the first byte:
 *
 * - plain (format 2, what is written): each column is either a constant step (a first
 *   value and a delta: no bytes a point), fixed-width signed deltas of 1, 2 or 4 bytes
 *   (times a scale of 1000, 100, 10 or 1) for safe integers, or the raw little-endian
 *   float64s. Decoding is a copy or a prefix sum: no inflate, no byte shuffling, so a
 *   cold server reads a million points in milliseconds. A regular series costs about
 *   9-10 bytes a point. Its first byte, 0x06, is a deflate block of the reserved type 3,
 *   which no deflate stream starts with.
 * - deflated (format 1, written before, and still for columns the plain form would
 *   store at more than 16 bytes a point): integer columns as zig-zag varint deltas,
 *   others as float64 bytes shuffled into byte planes, the whole deflated.
 *
 * Both keep NaN payloads and -0 bit for bit.
 */

import { decodePlainInto, encodePlain, isPlain, plainLength, planPlain } from "./chunk-plain.ts";

export interface Columns {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly tsMs: Float64Array;
  readonly length: number;
}

const FORMAT = 1;
/** Above this many bytes a point, a chunk is deflated instead of plain. */
const MAX_PLAIN_BYTES_PER_POINT = 16;
const RAW = 0;
const DELTA = 1;

/** The unpacked chunk: a zig-zag varint takes at most 8 bytes (deltas below 2^54), a raw value 8. */
class Writer {
  readonly bytes: Uint8Array<ArrayBuffer>;
  length = 0;
  constructor(points: number) {
    this.bytes = new Uint8Array(16 + 3 * (1 + 8 * points));
  }
  byte(value: number): void {
    this.bytes[this.length++] = value;
  }
  /** An unsigned integer below 2^56, 7 bits a byte. */
  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }
}

function integral(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isSafeInteger(v) || Object.is(v, -0)) return false;
    if (i > 0 && !Number.isSafeInteger(v - (values[i - 1] as number))) return false;
  }
  return true;
}

function writeColumn(out: Writer, values: Float64Array): void {
  const n = values.length;
  if (n > 0 && integral(values)) {
    out.byte(DELTA);
    const bytes = out.bytes;
    let previous = 0;
    for (let i = 0; i < n; i++) {
      const value = values[i] as number;
      const delta = value - previous;
      const z = delta >= 0 ? delta * 2 : -delta * 2 - 1;
      if (z < 0x80) bytes[out.length++] = z;
      else out.varint(z);
      previous = value;
    }
    return;
  }
  out.byte(RAW);
  // Float64s into byte planes, four bytes at a time (little-endian, as the planes are).
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const planes = out.bytes;
  const p0 = out.length;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i] as number;
    const hi = words[2 * i + 1] as number;
    planes[p0 + i] = lo;
    planes[p0 + n + i] = lo >>> 8;
    planes[p0 + 2 * n + i] = lo >>> 16;
    planes[p0 + 3 * n + i] = lo >>> 24;
    planes[p0 + 4 * n + i] = hi;
    planes[p0 + 5 * n + i] = hi >>> 8;
    planes[p0 + 6 * n + i] = hi >>> 16;
    planes[p0 + 7 * n + i] = hi >>> 24;
  }
  out.length += n * 8;
}

/**
 * The packed chunk: plain unless that costs more than 16 bytes a point (fractional
 * steps with irregular timestamps), then deflated at `level` (fresh chunks are written
 * fast and recompressed when compacted).
 */
export function encodeChunk(columns: Columns, level: 1 | 6 | 9 = 6): Uint8Array {
  const n = columns.length;
  const parts = [
    columns.steps.subarray(0, n),
    columns.ys.subarray(0, n),
    columns.tsMs.subarray(0, n),
  ] as const;
  const planned = planPlain(...parts);
  if (planned.bytes <= 64 + MAX_PLAIN_BYTES_PER_POINT * n) return encodePlain(parts, planned);
  return deflatedChunk(columns, level);
}

/** The deflated form (format 1). */
function deflatedChunk(columns: Columns, level: 1 | 6 | 9): Uint8Array {
  const out = new Writer(columns.length);
  out.byte(FORMAT);
  out.varint(columns.length);
  writeColumn(out, columns.steps.subarray(0, columns.length));
  writeColumn(out, columns.ys.subarray(0, columns.length));
  writeColumn(out, columns.tsMs.subarray(0, columns.length));
  return Bun.deflateSync(out.bytes.subarray(0, out.length), { level });
}

/** A column of `n` values from `bytes` at `offset` into `target[at…]`; returns the offset after it. */
function readColumn(
  bytes: Uint8Array,
  offset: number,
  target: Float64Array,
  at: number,
  n: number,
): number {
  const kind = bytes[offset++];
  if (kind === DELTA) {
    let previous = 0;
    let o = offset;
    for (let i = 0; i < n; i++) {
      let byte = bytes[o++] as number;
      if (byte < 0x80) {
        // One byte, the common case: a small zig-zag delta, in integer arithmetic.
        previous += (byte >>> 1) ^ -(byte & 1);
      } else {
        let z = byte & 0x7f;
        let scale = 0x80;
        do {
          byte = bytes[o++] as number;
          z += (byte & 0x7f) * scale;
          scale *= 0x80;
        } while (byte >= 0x80);
        previous += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      target[at + i] = previous;
    }
    // Reads past the end give `undefined`, which ends a varint: caught here.
    if (o > bytes.length) throw new Error("metric chunk is truncated");
    return o;
  }
  if (kind !== RAW) throw new Error(`unknown metric chunk column kind ${kind}`);
  if (offset + n * 8 > bytes.length) throw new Error("metric chunk is truncated");
  // Byte planes back into float64s, four bytes at a time (the machine is little-endian,
  // as the planes are).
  const words = new Uint32Array(target.buffer, target.byteOffset + at * 8, n * 2);
  const p0 = offset;
  for (let i = 0; i < n; i++) {
    words[2 * i] =
      (bytes[p0 + i] as number) |
      ((bytes[p0 + n + i] as number) << 8) |
      ((bytes[p0 + 2 * n + i] as number) << 16) |
      ((bytes[p0 + 3 * n + i] as number) << 24);
    words[2 * i + 1] =
      (bytes[p0 + 4 * n + i] as number) |
      ((bytes[p0 + 5 * n + i] as number) << 8) |
      ((bytes[p0 + 6 * n + i] as number) << 16) |
      ((bytes[p0 + 7 * n + i] as number) << 24);
  }
  return offset + n * 8;
}

/** The point count and where the columns start in an inflated chunk. */
function header(bytes: Uint8Array): { length: number; offset: number } {
  if (bytes.length === 0) throw new Error("metric chunk is truncated");
  if (bytes[0] !== FORMAT) throw new Error(`unknown metric chunk format ${bytes[0]}`);
  let length = 0;
  let scale = 1;
  let offset = 1;
  for (;;) {
    if (offset >= bytes.length) throw new Error("metric chunk is truncated");
    const byte = bytes[offset++] as number;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) return { length, offset };
    scale *= 0x80;
  }
}

const inflate = (body: Uint8Array): Uint8Array =>
  Bun.inflateSync(body as Uint8Array<ArrayBuffer>, { library: "libdeflate" });

/**
 * Decodes a chunk straight into `target` from index `at` with its timestamps in whole
 * seconds (`Math.floor(ms / 1000)`, as the read API gives them); returns its point count.
 */
export function decodeChunkSecondsInto(
  body: Uint8Array,
  target: { readonly steps: Float64Array; readonly ys: Float64Array; readonly ts: Float64Array },
  at: number,
): number {
  if (isPlain(body)) return decodePlainInto(body, [target.steps, target.ys, target.ts], at, true);
  const columns = decodeChunk(body);
  if (at + columns.length > target.steps.length)
    throw new Error("metric chunk is larger than its room");
  target.steps.set(columns.steps, at);
  target.ys.set(columns.ys, at);
  for (let i = 0; i < columns.length; i++)
    target.ts[at + i] = Math.floor((columns.tsMs[i] as number) / 1000);
  return columns.length;
}

/** Decodes a chunk into columns of its own. */
export function decodeChunk(body: Uint8Array): Columns {
  if (isPlain(body)) {
    const length = plainLength(body);
    const columns = {
      steps: new Float64Array(length),
      ys: new Float64Array(length),
      tsMs: new Float64Array(length),
      length,
    };
    decodePlainInto(body, [columns.steps, columns.ys, columns.tsMs], 0);
    return columns;
  }
  const bytes = inflate(body);
  const { length, offset } = header(bytes);
  const columns = {
    steps: new Float64Array(length),
    ys: new Float64Array(length),
    tsMs: new Float64Array(length),
    length,
  };
  let o = readColumn(bytes, offset, columns.steps, 0, length);
  o = readColumn(bytes, o, columns.ys, 0, length);
  readColumn(bytes, o, columns.tsMs, 0, length);
  return columns;
}
