/**
 * A least-recently-used map bounded by bytes, not by entries: what a request can
 * make the server keep (a body per `?project=` value, a count per `?path=` value)
 * is as large as the request makes it, so only a byte bound bounds the memory.
 */

/** How full a cache is. */
export interface CacheStats {
  /** Bytes its entries are accounted at (see {@link ByteLru}). */
  readonly bytes: number;
  readonly maxBytes: number;
  readonly entries: number;
}

/** What an entry costs besides its key and value: the map's node and its object. */
export const ENTRY_OVERHEAD_BYTES = 64;

/** Bytes a string may take in memory: two per UTF-16 unit, an upper bound. */
export function stringBytes(text: string): number {
  return text.length * 2;
}

export class ByteLru<K, V> {
  readonly #entries = new Map<K, { value: V; bytes: number }>();
  readonly #maxBytes: number;
  readonly #sizeOf: (key: K, value: V) => number;
  #bytes = 0;

  /**
   * @param maxBytes the most bytes the entries may be accounted at.
   * @param sizeOf an entry's bytes, key and value, without {@link ENTRY_OVERHEAD_BYTES}.
   */
  constructor(maxBytes: number, sizeOf: (key: K, value: V) => number) {
    this.#maxBytes = maxBytes;
    this.#sizeOf = sizeOf;
  }

  /** The value kept for `key`, now the most recently used; undefined if none. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /**
   * Keeps `value` for `key`, dropping the least recently used entries until the
   * bound holds. An entry larger than the whole bound is not kept at all.
   */
  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.#sizeOf(key, value) + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#bytes > this.#maxBytes) {
      const [oldest, entry] = this.#entries.entries().next().value as [K, { bytes: number }];
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get stats(): CacheStats {
    return { bytes: this.#bytes, maxBytes: this.#maxBytes, entries: this.#entries.size };
  }
}
