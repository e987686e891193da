/**
 * Decodes the records of `metric_points` rows in place on their page (the SQLite file
 * format, https://www.sqlite.org/fileformat.html §2.1 records), without a value
 * object per row: the hot loop of reading a long series from its pages.
 */

import { PageFormatError } from "./sqlite-btree.ts";

export /**
 * Decodes one record's first four columns (series_id, step, y, ts) and returns them
 * through `out`. A y stored as text (how "NaN" is kept) is read as a number.
 */
class RecordDecoder {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #text = new TextDecoder();
  #body = 0;
  readonly out = new Float64Array(4);

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The value of the varint read last. */
  varint = 0;

  /** Reads the varint at `at` into {@link varint}; returns where it ends. */
  readVarint(at: number): number {
    const bytes = this.#bytes;
    let value = 0;
    for (let i = 0; i < 8; i++) {
      const byte = bytes[at + i] as number;
      value = value * 128 + (byte & 127);
      if (byte < 128) {
        this.varint = value;
        return at + i + 1;
      }
    }
    this.varint = value * 256 + (bytes[at + 8] as number);
    return at + 9;
  }

  #value(serial: number, column: number): number {
    const view = this.#view;
    const at = this.#body;
    switch (serial) {
      case 7:
        this.#body = at + 8;
        return view.getFloat64(at);
      case 1:
        this.#body = at + 1;
        return view.getInt8(at);
      case 2:
        this.#body = at + 2;
        return view.getInt16(at);
      case 3:
        this.#body = at + 3;
        return view.getInt8(at) * 65536 + view.getUint16(at + 1);
      case 4:
        this.#body = at + 4;
        return view.getInt32(at);
      case 5:
        this.#body = at + 6;
        return view.getInt16(at) * 4294967296 + view.getUint32(at + 2);
      case 6:
        this.#body = at + 8;
        return view.getInt32(at) * 4294967296 + view.getUint32(at + 4);
      case 8:
        return 0;
      case 9:
        return 1;
    }
    if (column === 2 && serial >= 13 && serial % 2 === 1) {
      const length = (serial - 13) / 2;
      this.#body = at + length;
      return Number(this.#text.decode(this.#bytes.subarray(at, at + length)));
    }
    throw new PageFormatError(`column ${column} has serial type ${serial}`);
  }

  /** Decodes the record at `at` (`size` bytes, all on the page) into `out`. */
  decode(at: number, size: number): void {
    let cursor = this.readVarint(at);
    const headerEnd = at + this.varint;
    this.#body = headerEnd;
    const out = this.out;
    for (let column = 0; column < 4; column++) {
      if (cursor >= headerEnd) throw new PageFormatError("a record with fewer columns");
      const serial = this.#bytes[cursor] as number;
      if (serial < 128) cursor++;
      else {
        cursor = this.readVarint(cursor);
        if (this.varint < 13) throw new PageFormatError("a bad serial type");
      }
      out[column] = this.#value(serial < 128 ? serial : this.varint, column);
    }
    if (this.#body > at + size) throw new PageFormatError("a record longer than its cell");
  }
}
