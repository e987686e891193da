/**
 * Reads the rows of `metric_points` straight from the table's b-tree pages in a
 * settled run file (the SQLite file format, https://www.sqlite.org/fileformat.html
 * §1.3 header, §1.6 b-tree pages, §2.1 records). Turning a million rows into JS
 * values through bun:sqlite takes about 250 ms on the 2-core bench machine;
 * decoding the pages here takes 100-130 ms the first time and 60 ms once compiled,
 * and that is what a first look at a long series waits for.
 *
 * Only for files that nothing is writing (no WAL content): the caller checks that
 * the file's version did not change while it was read. Anything that is not what
 * this table's rows look like (an overflow cell, a page of another kind, a NULL, a
 * blob) throws {@link PageFormatError}, and the caller reads through SQLite instead.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { SeriesColumns } from "./series-loader-protocol.ts";

export class PageFormatError extends Error {}

interface PageLayout {
  readonly pageSize: number;
  /** Page size less the reserved bytes at the end of each page. */
  readonly usable: number;
}

const TABLE_INTERIOR = 5;
const TABLE_LEAF = 13;
/** The most pages read with one call. */
const RUN_PAGES = 256;
const MAX_DEPTH = 40;

/** Page size and usable size from the file header; only UTF-8 databases. */
function readLayout(fd: number): PageLayout {
  const header = new Uint8Array(100);
  if (readSync(fd, header, 0, 100, 0) !== 100) throw new PageFormatError("short header");
  if (new TextDecoder().decode(header.subarray(0, 16)) !== "SQLite format 3\u0000")
    throw new PageFormatError("not a SQLite file");
  const view = new DataView(header.buffer);
  const raw = view.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new PageFormatError("page size");
  if (view.getUint32(56) !== 1) throw new PageFormatError("text encoding is not UTF-8");
  return { pageSize, usable: pageSize - (header[20] as number) };
}

function readPages(fd: number, layout: PageLayout, into: Uint8Array, first: number, count: number) {
  const bytes = count * layout.pageSize;
  if (readSync(fd, into, 0, bytes, (first - 1) * layout.pageSize) !== bytes)
    throw new PageFormatError(`page ${first} is past the end of the file`);
}

/** The leaf pages of the table b-tree rooted at `root`, in rowid order. */
function tableLeaves(fd: number, layout: PageLayout, root: number): number[] {
  const maxPages = Math.ceil(fstatSync(fd).size / layout.pageSize);
  const page = new Uint8Array(layout.pageSize);
  const view = new DataView(page.buffer);
  const leaves: number[] = [];
  let visited = 0;
  const visit = (number: number, depth: number): void => {
    if (depth > MAX_DEPTH) throw new PageFormatError("b-tree too deep");
    // A page reached twice means a loop in a damaged file.
    if (++visited > maxPages) throw new PageFormatError("more b-tree pages than the file has");
    if (number < 1 || number > maxPages) throw new PageFormatError(`no page ${number}`);
    readPages(fd, layout, page, number, 1);
    const at = number === 1 ? 100 : 0;
    const kind = page[at];
    if (kind === TABLE_LEAF) {
      leaves.push(number);
      return;
    }
    if (kind !== TABLE_INTERIOR) throw new PageFormatError(`page ${number} has type ${kind}`);
    const cells = view.getUint16(at + 3);
    const children: number[] = [];
    for (let cell = 0; cell < cells; cell++) {
      const offset = view.getUint16(at + 12 + 2 * cell);
      if (offset + 4 > layout.usable) throw new PageFormatError(`bad cell on page ${number}`);
      children.push(view.getUint32(offset));
    }
    children.push(view.getUint32(at + 8));
    // `page` is reused by the children: their numbers were copied out above.
    for (const child of children) visit(child, depth + 1);
  };
  visit(root, 0);
  return leaves;
}

/** Growing columns of one series. */
class Columns {
  steps: Float64Array;
  ys: Float64Array;
  ts: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.steps = new Float64Array(capacity);
    this.ys = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
  }

  push(step: number, y: number, ts: number): void {
    if (this.length === this.steps.length) {
      const grow = (array: Float64Array) => {
        const grown = new Float64Array(array.length * 2);
        grown.set(array);
        return grown;
      };
      this.steps = grow(this.steps);
      this.ys = grow(this.ys);
      this.ts = grow(this.ts);
    }
    const i = this.length++;
    this.steps[i] = step;
    this.ys[i] = y;
    this.ts[i] = ts;
  }
}

/**
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

/**
 * Decodes the rows on `leaves` (in the order given) into columns per series id.
 * Points keep the table's rowid order, which is step order unless steps were
 * logged out of order. The columns of the `expected` series start with room for
 * its points (growing them from small costs a tenth of the time); a series' columns
 * may be longer than its points.
 */
function decodeLeaves(
  fd: number,
  layout: PageLayout,
  leaves: ArrayLike<number>,
  expected?: { readonly seriesId: number; readonly points: number },
): Map<number, SeriesColumns> {
  const { pageSize, usable } = layout;
  const buffer = new Uint8Array(RUN_PAGES * pageSize);
  const view = new DataView(buffer.buffer);
  const decoder = new RecordDecoder(buffer);
  const maxLocal = usable - 35;
  const series = new Map<number, Columns>();
  let lastId = Number.NaN;
  let current: Columns | undefined;
  // Leaves mostly lie in rising page order with index pages between them: read
  // them in windows that cover the next leaves, gaps included, one call each.
  let windowFirst = 0;
  let windowPages = 0;
  for (let index = 0; index < leaves.length; index++) {
    const number = leaves[index] as number;
    if (number < windowFirst || number >= windowFirst + windowPages) {
      let last = number;
      for (let next = index + 1; next < leaves.length; next++) {
        const page = leaves[next] as number;
        if (page <= last || page >= number + RUN_PAGES) break;
        last = page;
      }
      windowFirst = number;
      windowPages = last - number + 1;
      readPages(fd, layout, buffer, windowFirst, windowPages);
    }
    const base = (number - windowFirst) * pageSize;
    const at = base + (number === 1 ? 100 : 0);
    if (buffer[at] !== TABLE_LEAF) throw new PageFormatError(`page ${number} is not a leaf`);
    const cells = view.getUint16(at + 3);
    for (let cell = 0; cell < cells; cell++) {
      const offset = view.getUint16(at + 8 + 2 * cell);
      if (offset >= usable) throw new PageFormatError(`bad cell on page ${number}`);
      let cursor = decoder.readVarint(base + offset);
      const payload = decoder.varint;
      if (payload > maxLocal) throw new PageFormatError("a row that overflows its page");
      cursor = decoder.readVarint(cursor);
      if (cursor - base + payload > usable) throw new PageFormatError("a cell past its page");
      decoder.decode(cursor, payload);
      const out = decoder.out;
      const id = out[0] as number;
      if (id !== lastId) {
        lastId = id;
        current = series.get(id);
        if (!current) {
          current = new Columns(id === expected?.seriesId ? expected.points : 1024);
          series.set(id, current);
        }
      }
      (current as Columns).push(out[1] as number, out[2] as number, out[3] as number);
    }
  }
  return series;
}

/**
 * Every row of the table rooted at page `root` of `file`, as columns per series id
 * (see {@link decodeLeaves} for `expected`).
 */
export function decodeTable(
  file: string,
  root: number,
  expected?: { readonly seriesId: number; readonly points: number },
): Map<number, SeriesColumns> {
  const fd = openSync(file, "r");
  try {
    const layout = readLayout(fd);
    return decodeLeaves(fd, layout, tableLeaves(fd, layout, root), expected);
  } finally {
    closeSync(fd);
  }
}
