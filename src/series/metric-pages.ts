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
 * larger than the one before and within the key range its parents give its leaf,
 * and each series must have exactly as many rows as SQLite counts for it.
 */

import { closeSync, openSync } from "node:fs";
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
 * The buffer pages are read into, kept from one table to the next (a thread decodes
 * one table at a time): a fresh megabyte per run file was zeroed and faulted in again
 * each time, a fifth of decoding a board's 30 small files.
 */
let scratch: Uint8Array | undefined;

function pageBuffer(bytes: number): Uint8Array {
  if (!scratch || scratch.length < bytes) scratch = new Uint8Array(bytes);
  return scratch;
}

/** One series' columns, made as long as SQLite counts its rows, being filled. */
interface Filling {
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly ts: Float64Array;
  at: number;
}

/** Series ids below this are looked up in an array (they count up from 1). */
const SMALL_IDS = 1 << 16;

const isSmall = (id: number) => id >= 0 && id < SMALL_IDS && Number.isInteger(id);

/**
 * The rows of one leaf page after another into the columns of their series, each
 * made once, exactly as long as SQLite counts its rows: growing columns per series as
 * rows came (most of a run's series are short, and its rows alternate between them)
 * was a third of a first look at 30 run files. A row of a series SQLite did not count,
 * or one more than it counted, is a damaged table.
 *
 * A small method of its own per page: the engine compiles and optimizes it after a
 * few pages, where the same loop inside the whole table's function ran unoptimized for
 * most of a first look at 30 run files (125-170 ms, against 35-60 ms once compiled).
 */
class LeafRows {
  readonly #series = new Map<number, Filling>();
  readonly #small: (Filling | undefined)[] = [];
  #lastId = Number.NaN;
  #current: Filling | undefined;
  #lastRowid = Number.NEGATIVE_INFINITY;
  readonly #view: DataView;
  readonly #decoder: RecordDecoder;
  readonly #usable: number;
  readonly #maxLocal: number;

  constructor(buffer: Uint8Array, usable: number, counts: ReadonlyMap<number, number>) {
    this.#view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.#decoder = new RecordDecoder(buffer);
    this.#usable = usable;
    this.#maxLocal = usable - 35;
    for (const [id, count] of counts) {
      const filling = {
        steps: new Float64Array(count),
        ys: new Float64Array(count),
        ts: new Float64Array(count),
        at: 0,
      };
      this.#series.set(id, filling);
      if (isSmall(id)) this.#small[id] = filling;
    }
  }

  /** Decodes the cells of leaf page `number`, whose header is at `at` of the buffer (page at `base`). */
  page(number: number, base: number, at: number, low: number, high: number): void {
    const view = this.#view;
    const decoder = this.#decoder;
    const usable = this.#usable;
    const maxLocal = this.#maxLocal;
    const out = decoder.out;
    const cells = view.getUint16(at + 3);
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
      const filling = this.#current as Filling;
      const i = filling.at++;
      if (i >= filling.steps.length)
        throw new PageFormatError(`more rows of series ${id} than SQLite counts`);
      filling.steps[i] = out[1] as number;
      filling.ys[i] = out[2] as number;
      filling.ts[i] = out[3] as number;
    }
    this.#lastRowid = lastRowid;
  }

  #switchTo(id: number): void {
    const filling = isSmall(id) ? this.#small[id] : this.#series.get(id);
    if (!filling) throw new PageFormatError(`rows of a series SQLite does not count (${id})`);
    this.#lastId = id;
    this.#current = filling;
  }

  /** The columns per series id, in the order counted; throws where rows are missing. */
  series(): Map<number, SeriesColumns> {
    const out = new Map<number, SeriesColumns>();
    for (const [id, { steps, ys, ts, at }] of this.#series) {
      if (at !== steps.length)
        throw new PageFormatError(`fewer rows of series ${id} than SQLite counts`);
      out.set(id, { steps, ys, ts, length: at });
    }
    return out;
  }
}

/**
 * Decodes the rows on `leaves` (in the order given) into columns per series id, as
 * many rows of each as `counts` says (SQLite's count, from an index apart from the
 * table's b-tree: rows missed or read twice in a damaged table throw). Points keep the
 * table's rowid order, which is step order unless steps were logged out of order.
 */
function decodeLeaves(
  fd: number,
  layout: PageLayout,
  { pages: leaves, lows, highs }: Leaves,
  counts: ReadonlyMap<number, number>,
): Map<number, SeriesColumns> {
  const { pageSize } = layout;
  const buffer = pageBuffer(RUN_PAGES * pageSize);
  const decoded = new LeafRows(buffer, layout.usable, counts);
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
    decoded.page(number, base, at, lows[index] as number, highs[index] as number);
  }
  return decoded.series();
}

/**
 * Every row of the table rooted at page `root` of `file`, as columns per series id,
 * each exactly as long as `counts` (rows per series id, as SQLite counts them) says.
 */
export function decodeTable(
  file: string,
  root: number,
  counts: ReadonlyMap<number, number>,
): Map<number, SeriesColumns> {
  const fd = openSync(file, "r");
  try {
    const layout = readLayout(fd);
    return decodeLeaves(fd, layout, tableLeaves(fd, layout, root), counts);
  } finally {
    closeSync(fd);
  }
}
