/**
 * The packed form of a run of metric points: steps, values and timestamps as three
 * columns, deflated. A column of safe integers (steps, millisecond timestamps) is
 * written as zig-zag varint deltas, one byte a point for a regular series; other
 * columns as the float64 bytes shuffled into byte planes (sign and exponent bytes of
 * neighbouring values compress well), so NaN payloads and -0 survive bit for bit.
 */

export interface Columns {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly tsMs: Float64Array;
  readonly length: number;
}

const FORMAT = 1;
const RAW = 0;
const DELTA = 1;

class Writer {
  bytes = new Uint8Array(1024);
  length = 0;
  #room(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
  byte(value: number): void {
    this.#room(1);
    this.bytes[this.length++] = value;
  }
  /** An unsigned integer below 2^53, 7 bits a byte. */
  varint(value: number): void {
    this.#room(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }
  raw(chunk: Uint8Array): void {
    this.#room(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
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

function zigzag(delta: number): number {
  return delta >= 0 ? delta * 2 : -delta * 2 - 1;
}

function writeColumn(out: Writer, values: Float64Array): void {
  if (integral(values) && values.length > 0) {
    out.byte(DELTA);
    let previous = 0;
    for (const value of values) {
      out.varint(zigzag(value - previous));
      previous = value;
    }
    return;
  }
  out.byte(RAW);
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.length * 8);
  const planes = new Uint8Array(bytes.length);
  const n = values.length;
  for (let i = 0; i < n; i++)
    for (let b = 0; b < 8; b++) planes[b * n + i] = bytes[i * 8 + b] as number;
  out.raw(planes);
}

/** `level`: deflate effort; fresh chunks are written fast and recompressed when compacted. */
export function encodeChunk(columns: Columns, level: 1 | 6 | 9 = 6): Uint8Array {
  const out = new Writer();
  out.byte(FORMAT);
  out.varint(columns.length);
  writeColumn(out, columns.steps.subarray(0, columns.length));
  writeColumn(out, columns.ys.subarray(0, columns.length));
  writeColumn(out, columns.tsMs.subarray(0, columns.length));
  return Bun.deflateSync(out.bytes.subarray(0, out.length), { level });
}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error("metric chunk is truncated");
    return this.bytes[this.offset++] as number;
  }
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }
}

function readColumn(input: Reader, target: Float64Array, n: number): void {
  const kind = input.byte();
  if (kind === DELTA) {
    let previous = 0;
    for (let i = 0; i < n; i++) {
      const z = input.varint();
      previous += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      target[i] = previous;
    }
    return;
  }
  if (kind !== RAW) throw new Error(`unknown metric chunk column kind ${kind}`);
  const bytes = new Uint8Array(target.buffer, target.byteOffset, n * 8);
  const start = input.offset;
  if (start + n * 8 > input.bytes.length) throw new Error("metric chunk is truncated");
  const planes = input.bytes;
  for (let b = 0; b < 8; b++) {
    const plane = start + b * n;
    for (let i = 0; i < n; i++) bytes[i * 8 + b] = planes[plane + i] as number;
  }
  input.offset += n * 8;
}

/** Points in a chunk, read from its header without decoding the columns. */
export function decodeChunk(body: Uint8Array): Columns {
  const input = new Reader(Bun.inflateSync(body as Uint8Array<ArrayBuffer>));
  const format = input.byte();
  if (format !== FORMAT) throw new Error(`unknown metric chunk format ${format}`);
  const length = input.varint();
  const steps = new Float64Array(length);
  const ys = new Float64Array(length);
  const tsMs = new Float64Array(length);
  readColumn(input, steps, length);
  readColumn(input, ys, length);
  readColumn(input, tsMs, length);
  return { steps, ys, tsMs, length };
}
