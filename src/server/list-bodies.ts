/**
 * Bodies of the project and run lists per query, kept while the store's version stays,
 * within a byte bound, so that a page polling the lists costs the server no JSON.
 */

import { ByteLru, type CacheStats, stringBytes } from "../cache/byte-lru.ts";
import { COMPRESS_FROM_CHARS, gzipText } from "./compression.ts";

/** A list's body as kept: its text, and gzipped when it is long enough to be sent so. */
export interface ListBody {
  readonly text: string;
  readonly gzip: Uint8Array | undefined;
}

/**
 * The key is whatever `?project=` a request sends. An empty list (a project that does
 * not exist) is cheap to write again and is not kept, so that such requests cannot
 * push the real lists out.
 */
export class ListBodies {
  readonly #bodies: ByteLru<string, { version: string; body: ListBody }>;

  constructor(maxBytes: number) {
    this.#bodies = new ByteLru(
      maxBytes,
      (key, { version, body }) =>
        stringBytes(key) +
        stringBytes(version) +
        stringBytes(body.text) +
        (body.gzip?.byteLength ?? 0),
    );
  }

  get stats(): CacheStats {
    return this.#bodies.stats;
  }

  async get(
    key: string,
    read: () => Promise<{ version: string; value: readonly unknown[] }>,
    write: (value: never) => string,
  ): Promise<ListBody> {
    const answer = await read();
    const cached = this.#bodies.get(key);
    if (cached?.version === answer.version) return cached.body;
    const text = (write as (value: unknown) => string)(answer.value);
    const body = {
      text,
      gzip: text.length >= COMPRESS_FROM_CHARS ? gzipText(text, 6) : undefined,
    };
    if (answer.value.length > 0) this.#bodies.set(key, { version: answer.version, body });
    else this.#bodies.delete(key);
    return body;
  }
}
