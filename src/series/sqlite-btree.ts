/**
 * The SQLite file format as far as reading a table's leaves needs it
 * (https://www.sqlite.org/fileformat.html §1.3 header, §1.6 b-tree pages): the page
 * layout from the header, reads of runs of pages, and the walk of a table b-tree
 * that checks each page's keys against the range its parents give it.
 */

import { fstatSync, readSync } from "node:fs";

/** What is not what the rows of the tables we read look like: the caller reads through SQLite instead. */
export class PageFormatError extends Error {}

export interface PageLayout {
  readonly pageSize: number;
  /** Page size less the reserved bytes at the end of each page. */
  readonly usable: number;
}

/** The page types of a table b-tree. */
const TABLE_INTERIOR = 5;
export const TABLE_LEAF = 13;
const MAX_DEPTH = 40;

/** Page size and usable size from the file header; only UTF-8 databases. */
export function readLayout(fd: number): PageLayout {
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

/** Reads `count` pages from page `first` (numbered from 1) into `into`. */
export function readPages(
  fd: number,
  layout: PageLayout,
  into: Uint8Array,
  first: number,
  count: number,
) {
  const bytes = count * layout.pageSize;
  if (readSync(fd, into, 0, bytes, (first - 1) * layout.pageSize) !== bytes)
    throw new PageFormatError(`page ${first} is past the end of the file`);
}

/**
 * The leaf pages of a table b-tree in rowid order, each with the range of rowids its
 * parents' keys allow it: `lows[i] < rowid <= highs[i]`.
 */
export interface Leaves {
  readonly pages: number[];
  readonly lows: number[];
  readonly highs: number[];
}

/** The leaf pages of the table b-tree rooted at `root`, in rowid order. */
export function tableLeaves(fd: number, layout: PageLayout, root: number): Leaves {
  const maxPages = Math.ceil(fstatSync(fd).size / layout.pageSize);
  const page = new Uint8Array(layout.pageSize);
  const view = new DataView(page.buffer);
  const leaves: Leaves = { pages: [], lows: [], highs: [] };
  let visited = 0;
  const visit = (number: number, depth: number, low: number, high: number): void => {
    if (depth > MAX_DEPTH) throw new PageFormatError("b-tree too deep");
    // A page reached twice means a loop in a damaged file.
    if (++visited > maxPages) throw new PageFormatError("more b-tree pages than the file has");
    if (number < 1 || number > maxPages) throw new PageFormatError(`no page ${number}`);
    readPages(fd, layout, page, number, 1);
    const at = number === 1 ? 100 : 0;
    const kind = page[at];
    if (kind === TABLE_LEAF) {
      leaves.pages.push(number);
      leaves.lows.push(low);
      leaves.highs.push(high);
      return;
    }
    if (kind !== TABLE_INTERIOR) throw new PageFormatError(`page ${number} has type ${kind}`);
    const cells = view.getUint16(at + 3);
    const children: number[] = [];
    // Each cell's key is the largest rowid under its child, and the keys rise.
    const keys: number[] = [];
    for (let cell = 0; cell < cells; cell++) {
      const offset = view.getUint16(at + 12 + 2 * cell);
      if (offset + 5 > layout.usable) throw new PageFormatError(`bad cell on page ${number}`);
      children.push(view.getUint32(offset));
      const key = readVarint(page, offset + 4);
      const previous = keys.length === 0 ? low : (keys[keys.length - 1] as number);
      if (!(key > previous && key <= high))
        throw new PageFormatError(`page ${number} has keys out of order`);
      keys.push(key);
    }
    children.push(view.getUint32(at + 8));
    // `page` is reused by the children: their numbers and keys were copied out above.
    children.forEach((child, i) => {
      const childLow = i === 0 ? low : (keys[i - 1] as number);
      const childHigh = i < keys.length ? (keys[i] as number) : high;
      visit(child, depth + 1, childLow, childHigh);
    });
  };
  visit(root, 0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  return leaves;
}

/**
 * The varint at `at` in `bytes` (SQLite's big-endian base-128 with a full ninth
 * byte), as a number: exact below 2^53, which rowids of these tables never reach.
 */
function readVarint(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[at + i] as number;
    value = value * 128 + (byte & 127);
    if (byte < 128) return value;
  }
  return value * 256 + (bytes[at + 8] as number);
}
