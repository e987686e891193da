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
 * So does a b-tree that is damaged inside while every page is well formed (a child
 * pointer to the wrong leaf, a leaf of another table): each row's rowid must be
 * larger than the one before and within the key range its parents give its leaf;
 * the caller also holds the number of rows decoded against SQLite's own count.
 */

import { closeSync, openSync } from "node:fs";
import { GrowingColumns } from "./growing-columns.ts";
import { RecordDecoder } from "./metric-record.ts";
import type { SeriesColumns } from "./series-loader-protocol.ts";
import {
  type Leaves,
  PageFormatError,
  type PageLayout,
  readLayout,
  readPages,
  TABLE_LEAF,
  tableLeaves,
} from "./sqlite-btree.ts";

/** The most pages read with one call. */
const RUN_PAGES = 256;

/**
 * The rows of one leaf page after another into columns per series id. A small method
 * of its own, called once per page: the engine compiles and optimizes it after a few
 * pages, where the same loop inside the whole table's function ran unoptimized for
 * most of a first look at 30 run files (125-170 ms, against 35-60 ms once compiled).
 */
class LeafRows {
  readonly series = new Map<number, GrowingColumns>();
  rows = 0;
  #lastId = Number.NaN;
  #current: GrowingColumns | undefined;
  #lastRowid = Number.NEGATIVE_INFINITY;
  readonly #view: DataView;
  readonly #decoder: RecordDecoder;
  readonly #usable: number;
  readonly #maxLocal: number;
  readonly #expected: { readonly seriesId: number; readonly points: number } | undefined;

  constructor(
    buffer: Uint8Array,
    usable: number,
    expected: { readonly seriesId: number; readonly points: number } | undefined,
  ) {
    this.#view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.#decoder = new RecordDecoder(buffer);
    this.#usable = usable;
    this.#maxLocal = usable - 35;
    this.#expected = expected;
  }

  /** Decodes the cells of leaf page `number`, whose header is at `at` of the buffer (page at `base`). */
  page(number: number, base: number, at: number, low: number, high: number): void {
    const view = this.#view;
    const decoder = this.#decoder;
    const usable = this.#usable;
    const maxLocal = this.#maxLocal;
    const out = decoder.out;
    const cells = view.getUint16(at + 3);
    this.rows += cells;
    let lastRowid = this.#lastRowid;
    for (let cell = 0; cell < cells; cell++) {
      const offset = view.getUint16(at + 8 + 2 * cell);
      if (offset >= usable) throw new PageFormatError(`bad cell on page ${number}`);
      let cursor = decoder.readVarint(base + offset);
      const payload = decoder.varint;
      if (payload > maxLocal) throw new PageFormatError("a row that overflows its page");
      cursor = decoder.readVarint(cursor);
      const rowid = decoder.varint;
      if (!(rowid > lastRowid && rowid > low && rowid <= high))
        throw new PageFormatError(`page ${number} holds rows out of the b-tree's order`);
      lastRowid = rowid;
      if (cursor - base + payload > usable) throw new PageFormatError("a cell past its page");
      decoder.decode(cursor, payload);
      const id = out[0] as number;
      if (id !== this.#lastId) this.#switchTo(id);
      (this.#current as GrowingColumns).push(out[1] as number, out[2] as number, out[3] as number);
    }
    this.#lastRowid = lastRowid;
  }

  #switchTo(id: number): void {
    this.#lastId = id;
    let columns = this.series.get(id);
    if (!columns) {
      const expected = this.#expected;
      columns = new GrowingColumns(id === expected?.seriesId ? expected.points : 1024);
      this.series.set(id, columns);
    }
    this.#current = columns;
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
  { pages: leaves, lows, highs }: Leaves,
  expected?: { readonly seriesId: number; readonly points: number },
): DecodedTable {
  const { pageSize } = layout;
  const buffer = new Uint8Array(RUN_PAGES * pageSize);
  const rows = new LeafRows(buffer, layout.usable, expected);
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
    rows.page(number, base, at, lows[index] as number, highs[index] as number);
  }
  return { series: rows.series, rows: rows.rows };
}

/** What {@link decodeTable} read: columns per series id, and how many rows in all. */
export interface DecodedTable {
  readonly series: Map<number, SeriesColumns>;
  readonly rows: number;
}

/**
 * Every row of the table rooted at page `root` of `file`, as columns per series id
 * (see {@link decodeLeaves} for `expected`).
 */
export function decodeTable(
  file: string,
  root: number,
  expected?: { readonly seriesId: number; readonly points: number },
): DecodedTable {
  const fd = openSync(file, "r");
  try {
    const layout = readLayout(fd);
    return decodeLeaves(fd, layout, tableLeaves(fd, layout, root), expected);
  } finally {
    closeSync(fd);
  }
}
