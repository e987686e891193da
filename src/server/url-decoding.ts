/**
 * URL decoding as the Python server does it: the whole path percent-decoded once
 * before routing (so `%2F` is a slash), the query as form data (`+` is a space, the
 * first of repeated names wins, empty values count as absent). Malformed escapes
 * never throw: bad UTF-8 becomes U+FFFD, a lone `%` stays as it is.
 */

const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

export function percentDecode(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 && i + 2 < text.length) {
      const high = hexValue(text.charCodeAt(i + 1));
      const low = hexValue(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        bytes.push(high * 16 + low);
        i += 2;
        continue;
      }
    }
    if (code < 0x80) {
      bytes.push(code);
    } else {
      const char = String.fromCodePoint(text.codePointAt(i) as number);
      for (const byte of encoder.encode(char)) bytes.push(byte);
      i += char.length - 1;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** The query string of a request target as name → first non-empty value. */
export function parseQuery(search: string): Map<string, string> {
  const params = new Map<string, string>();
  const text = search.startsWith("?") ? search.slice(1) : search;
  if (text === "") return params;
  for (const part of text.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    if (equals < 0) continue;
    const name = percentDecode(part.slice(0, equals).replaceAll("+", " "));
    const value = percentDecode(part.slice(equals + 1).replaceAll("+", " "));
    if (value === "" || params.has(name)) continue;
    params.set(name, value);
  }
  return params;
}

/**
 * Every value of every name in a query string, in order, empty ones included (for
 * routes of our own whose parameters repeat and pair by position).
 */
export function parseQueryAll(search: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const text = search.startsWith("?") ? search.slice(1) : search;
  for (const part of text.split("&")) {
    const equals = part.indexOf("=");
    if (equals < 0) continue;
    const name = percentDecode(part.slice(0, equals).replaceAll("+", " "));
    const value = percentDecode(part.slice(equals + 1).replaceAll("+", " "));
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/** The raw query string of a request target (after `?`, before `#`). */
export function rawQuery(url: string): string {
  const hash = url.indexOf("#");
  const withoutHash = hash < 0 ? url : url.slice(0, hash);
  const question = withoutHash.indexOf("?");
  return question < 0 ? "" : withoutHash.slice(question + 1);
}

/** Path and query of a request, from its raw target (not the runtime's normalised URL). */
export function splitTarget(url: string): { path: string; query: Map<string, string> } {
  const schemeEnd = url.indexOf("://");
  const pathStart = schemeEnd < 0 ? 0 : url.indexOf("/", schemeEnd + 3);
  const target = pathStart < 0 ? "/" : url.slice(pathStart);
  const hash = target.indexOf("#");
  const withoutHash = hash < 0 ? target : target.slice(0, hash);
  const question = withoutHash.indexOf("?");
  const rawPath = question < 0 ? withoutHash : withoutHash.slice(0, question);
  const rawQuery = question < 0 ? "" : withoutHash.slice(question + 1);
  return { path: percentDecode(rawPath), query: parseQuery(rawQuery) };
}
