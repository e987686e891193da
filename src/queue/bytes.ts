/** Little binary writer and reader for the payloads of OP records. */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A growable buffer that payloads are built in before they are copied into the ring. */
export class ByteWriter {
  #bytes = new Uint8Array(4096);
  #view = new DataView(this.#bytes.buffer);
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  #ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  u8(value: number): this {
    this.#ensure(1);
    this.#bytes[this.length++] = value;
    return this;
  }

  u32(value: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.length, value, true);
    this.length += 4;
    return this;
  }

  f64(value: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.length, value, true);
    this.length += 8;
    return this;
  }

  /** A string as u32 byte length then UTF-8. */
  str(value: string): this {
    this.#ensure(4 + value.length * 3);
    const { written } = encoder.encodeInto(value, this.#bytes.subarray(this.length + 4));
    this.#view.setUint32(this.length, written, true);
    this.length += 4 + written;
    return this;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.length);
  }
}

/** Reads a payload written by {@link ByteWriter}. */
export class ByteReader {
  #view: DataView;
  #bytes: Uint8Array;
  offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(): number {
    return this.#view.getUint8(this.offset++);
  }

  u32(): number {
    const value = this.#view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f64(): number {
    const value = this.#view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  str(): string {
    const length = this.u32();
    const text = decoder.decode(this.#bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }

  /** A u32 count, then that many items, each read by `item`. */
  list<T>(item: (reader: ByteReader) => T): T[] {
    const items: T[] = new Array(this.u32());
    for (let i = 0; i < items.length; i++) items[i] = item(this);
    return items;
  }
}
