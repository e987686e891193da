/**
 * An answer made of a head kept between requests and a tail written for each: a
 * repeated or live view of a long series repeats the text of all its complete buckets
 * and changes only its end. The head is encoded and deflated once; each answer encodes
 * and deflates only its tail, and the gzip body is the head's deflate blocks (ended by
 * a sync flush, so a new deflate stream can follow them) followed by the tail's, with
 * the CRC carried on from the head's: one ordinary gzip member.
 */

import { constants, deflateRawSync } from "node:zlib";

/** gzip's member header: no name, no time, OS unknown. */
const GZIP_HEADER = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

export class KeptHead {
  readonly text: string;
  #bytes: Uint8Array | undefined;
  #deflated: { readonly bytes: Uint8Array; readonly crc: number } | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** The head in UTF-8. */
  bytes(): Uint8Array {
    this.#bytes ??= Buffer.from(this.text, "utf8");
    return this.#bytes;
  }

  /** The head deflated (level 6: it is sent many times), not final, and its CRC-32. */
  deflated(): { readonly bytes: Uint8Array; readonly crc: number } {
    this.#deflated ??= {
      bytes: deflateRawSync(this.bytes(), { level: 6, finishFlush: constants.Z_SYNC_FLUSH }),
      crc: Bun.hash.crc32(this.bytes()),
    };
    return this.#deflated;
  }
}

export class HeadedBody {
  constructor(
    readonly head: KeptHead,
    readonly tail: string,
  ) {}

  /** The whole answer as text. */
  text(): string {
    return this.head.text + this.tail;
  }

  /** Length of the whole answer in UTF-16 code units (as a string's length). */
  get length(): number {
    return this.head.text.length + this.tail.length;
  }

  /** The whole answer in UTF-8. */
  bytes(): Uint8Array {
    return Buffer.concat([this.head.bytes(), Buffer.from(this.tail, "utf8")]);
  }

  /** The whole answer gzipped. */
  gzip(): Uint8Array {
    const head = this.head.deflated();
    const tail = Buffer.from(this.tail, "utf8");
    const trailer = new Uint8Array(8);
    const view = new DataView(trailer.buffer);
    view.setUint32(0, Bun.hash.crc32(tail, head.crc) >>> 0, true);
    view.setUint32(4, (this.head.bytes().length + tail.length) >>> 0, true);
    return Buffer.concat([GZIP_HEADER, head.bytes, deflateRawSync(tail, { level: 1 }), trailer]);
  }
}
