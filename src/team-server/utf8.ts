/** Text stored as bytes (paths, config values): UTF-8 both ways. */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** A BLOB/bytea column's text (Bun.SQL hands it over as a Buffer or an ArrayBuffer). */
export const fromUtf8 = (bytes: unknown): string =>
  decoder.decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes as ArrayBuffer));
