/**
 * The plain form of a metric chunk (format 2), made to decode fast: no inflate, each
 * column a copy or a prefix sum. Layout, little-endian:
 *
 *     0x06, 2, 0, 0, n: uint32, then three columns (steps, values, timestamps), each
 *     kind: uint8, then
 *       CONSTANT  first: float64, delta: float64             (value i = first + i * delta)
 *       DELTAS_k  first: float64, scale: float64, n - 1 deltas of k = 1, 2 or 4 bytes, signed
 *       RAW       n float64s
 *
 * A column takes CONSTANT or DELTAS only when every value is a safe integer (not -0)
 * and every sum on the way is exact, so that decoding gives back every bit.
 */

/** The first byte: a deflate block of the reserved type 3, which no deflate stream starts with. */
export const PLAIN_TAG = 0x06;
const FORMAT = 2;
const HEADER = 8;

const CONSTANT = 0;
const DELTAS_1 = 1;
const DELTAS_2 = 2;
const DELTAS_4 = 4;
const RAW = 8;

const SCALES = [1000, 100, 10, 1] as const;

interface ColumnPlan {
  readonly kind: number;
  readonly first: number;
  /** The delta of a constant column, the scale of deltas. */
  readonly factor: number;
  readonly bytes: number;
}

function plan(values: Float64Array): ColumnPlan {
  const n = values.length;
  const raw = { kind: RAW, first: 0, factor: 0, bytes: 1 + 8 * n };
  if (n === 0) return { kind: CONSTANT, first: 0, factor: 0, bytes: 17 };
  const first = values[0] as number;
  if (!Number.isSafeInteger(first) || Object.is(first, -0)) return raw;
  let constant = true;
  const delta0 = n > 1 ? (values[1] as number) - first : 0;
  const divides = SCALES.map(() => true);
  let widest = 0;
  for (let i = 1; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isSafeInteger(v) || Object.is(v, -0)) return raw;
    const d = v - (values[i - 1] as number);
    if (!Number.isSafeInteger(d)) return raw;
    if (d !== delta0) constant = false;
    const magnitude = Math.abs(d);
    if (magnitude > widest) widest = magnitude;
    for (let s = 0; s < SCALES.length - 1; s++)
      if (divides[s] && d % (SCALES[s] as number) !== 0) divides[s] = false;
  }
  if (constant && Number.isSafeInteger((n - 1) * delta0))
    return { kind: CONSTANT, first, factor: delta0, bytes: 17 };
  const scale = SCALES[divides.indexOf(true)] as number;
  const q = widest / scale;
  const kind = q < 0x80 ? DELTAS_1 : q < 0x8000 ? DELTAS_2 : q < 0x8000_0000 ? DELTAS_4 : RAW;
  if (kind === RAW) return raw;
  return { kind, first, factor: scale, bytes: 17 + kind * (n - 1) };
}

/** The plain chunk's size for these columns, and how to write them. */
export function planPlain(
  steps: Float64Array,
  ys: Float64Array,
  tsMs: Float64Array,
): { bytes: number; plans: ColumnPlan[] } {
  const plans = [plan(steps), plan(ys), plan(tsMs)];
  return { bytes: HEADER + plans.reduce((sum, p) => sum + p.bytes, 0), plans };
}

export function encodePlain(
  columns: readonly Float64Array[],
  planned: { bytes: number; plans: ColumnPlan[] },
): Uint8Array {
  const n = (columns[0] as Float64Array).length;
  const out = new Uint8Array(planned.bytes);
  const view = new DataView(out.buffer);
  out[0] = PLAIN_TAG;
  out[1] = FORMAT;
  view.setUint32(4, n, true);
  let o = HEADER;
  planned.plans.forEach((p, c) => {
    const values = columns[c] as Float64Array;
    out[o++] = p.kind;
    if (p.kind === RAW) {
      out.set(new Uint8Array(values.buffer, values.byteOffset, n * 8), o);
      o += n * 8;
      return;
    }
    view.setFloat64(o, p.first, true);
    view.setFloat64(o + 8, p.factor, true);
    o += 16;
    if (p.kind === CONSTANT) return;
    const scale = p.factor;
    for (let i = 1; i < n; i++) {
      const q = ((values[i] as number) - (values[i - 1] as number)) / scale;
      if (p.kind === DELTAS_1) out[o++] = q & 0xff;
      else if (p.kind === DELTAS_2) {
        view.setInt16(o, q, true);
        o += 2;
      } else {
        view.setInt32(o, q, true);
        o += 4;
      }
    }
  });
  return out;
}

export function isPlain(body: Uint8Array): boolean {
  return body[0] === PLAIN_TAG;
}

/** The plain chunk's point count. */
export function plainLength(body: Uint8Array): number {
  if (body.length < HEADER) throw new Error("metric chunk is truncated");
  if (body[1] !== FORMAT) throw new Error(`unknown metric chunk format ${body[1]}`);
  return new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(4, true);
}

/** `seconds`: milliseconds in, whole seconds out (`Math.floor(ms / 1000)`). */
function readColumn(
  body: Uint8Array,
  view: DataView,
  offset: number,
  target: Float64Array,
  at: number,
  n: number,
  seconds: boolean,
): number {
  let o = offset;
  const kind = body[o++];
  if (kind === RAW) {
    if (o + n * 8 > body.length) throw new Error("metric chunk is truncated");
    if (seconds)
      for (let i = 0; i < n; i++)
        target[at + i] = Math.floor(view.getFloat64(o + i * 8, true) / 1000);
    else
      new Uint8Array(target.buffer, target.byteOffset + at * 8, n * 8).set(
        body.subarray(o, o + n * 8),
      );
    return o + n * 8;
  }
  if (o + 16 > body.length) throw new Error("metric chunk is truncated");
  const first = view.getFloat64(o, true);
  const factor = view.getFloat64(o + 8, true);
  o += 16;
  if (kind === CONSTANT) {
    for (let i = 0; i < n; i++) {
      const value = first + i * factor;
      target[at + i] = seconds ? Math.floor(value / 1000) : value;
    }
    return o;
  }
  if (kind !== DELTAS_1 && kind !== DELTAS_2 && kind !== DELTAS_4)
    throw new Error(`unknown metric chunk column kind ${kind}`);
  if (n > 0 && o + kind * (n - 1) > body.length) throw new Error("metric chunk is truncated");
  let value = first;
  if (n > 0) target[at] = seconds ? Math.floor(value / 1000) : value;
  if (kind === DELTAS_1) {
    for (let i = 1; i < n; i++) {
      value += ((((body[o++] as number) << 24) >> 24) as number) * factor;
      target[at + i] = seconds ? Math.floor(value / 1000) : value;
    }
  } else if (kind === DELTAS_2) {
    for (let i = 1; i < n; i++) {
      value += ((((body[o] as number) | ((body[o + 1] as number) << 8)) << 16) >> 16) * factor;
      o += 2;
      target[at + i] = seconds ? Math.floor(value / 1000) : value;
    }
  } else {
    for (let i = 1; i < n; i++) {
      value +=
        ((body[o] as number) |
          ((body[o + 1] as number) << 8) |
          ((body[o + 2] as number) << 16) |
          ((body[o + 3] as number) << 24)) *
        factor;
      o += 4;
      target[at + i] = seconds ? Math.floor(value / 1000) : value;
    }
  }
  return o;
}

/**
 * Decodes a plain chunk into `targets[c][at…]` (they must have room); returns its point
 * count. `seconds`: the timestamps in whole seconds instead of milliseconds.
 */
export function decodePlainInto(
  body: Uint8Array,
  targets: readonly [Float64Array, Float64Array, Float64Array],
  at: number,
  seconds = false,
): number {
  const n = plainLength(body);
  if (at + n > targets[0].length) throw new Error("metric chunk is larger than its room");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let o = HEADER;
  o = readColumn(body, view, o, targets[0], at, n, false);
  o = readColumn(body, view, o, targets[1], at, n, false);
  readColumn(body, view, o, targets[2], at, n, seconds);
  return n;
}
