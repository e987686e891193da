/**
 * Request bodies of the remote protocol: gzip or plain, at most 64 MiB either way,
 * and JSON as both clients write it. Python's `json.dumps` writes NaN and ±Infinity
 * as bare tokens that `JSON.parse` rejects; they are read as the strings "NaN",
 * "Infinity" and "-Infinity", which is how our client sends them.
 */

import { gunzipSync } from "node:zlib";
import { ApiError, badRequest } from "./api-error.ts";

/** The largest body accepted, compressed or not. */
export const MAX_BODY_BYTES = 64 * 2 ** 20;

const tooLarge = () =>
  new ApiError(413, "Request.TooLarge", `the request body is over ${MAX_BODY_BYTES} bytes`);

/**
 * A single-member gzip body inflated by libdeflate (several times faster than
 * `node:zlib`'s stream machinery), or undefined for anything it cannot vouch for:
 * a declared size over the limit, an error, or a result that is not what the trailer
 * describes (a body of several members, of which libdeflate reads the first). Those
 * go the bounded `node:zlib` way, which gives the errors their answers.
 */
function gunzipFast(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 18) return undefined;
  const trailer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8);
  const crc = trailer.getUint32(0, true);
  const size = trailer.getUint32(4, true);
  if (size > MAX_BODY_BYTES) return undefined;
  let out: Uint8Array;
  try {
    out = Bun.gunzipSync(bytes as Uint8Array<ArrayBuffer>, { library: "libdeflate" });
  } catch {
    return undefined;
  }
  return out.length === size && Bun.hash.crc32(out) === crc ? out : undefined;
}

/** Bodies already read off the wire, by the request they came with. */
const buffered = new WeakMap<Request, Uint8Array>();

/** Lets {@link readBody} take `request`'s body from `bytes` (read once, used by each retry). */
export function bufferBody(request: Request, bytes: Uint8Array): void {
  buffered.set(request, bytes);
}

export async function readBody(request: Request): Promise<Uint8Array> {
  const held = buffered.get(request);
  if (held !== undefined) return decodeBody(request, held);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  return decodeBody(request, new Uint8Array(await request.arrayBuffer()));
}

function decodeBody(request: Request, bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
  const encoding = (request.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return bytes;
  if (encoding !== "gzip")
    throw new ApiError(
      415,
      "Request.UnsupportedEncoding",
      `Content-Encoding '${encoding}' is not supported; send gzip or nothing`,
    );
  const fast = gunzipFast(bytes);
  if (fast !== undefined) return fast;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_BODY_BYTES });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw tooLarge();
    throw badRequest("Request.BadGzip", `the body is not valid gzip: ${(error as Error).message}`);
  }
}

/** Bare NaN/Infinity/-Infinity tokens outside strings, replaced by strings. */
function quoteNonFinite(text: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    let token: string | undefined;
    if (c === 0x4e && text.startsWith("NaN", i)) token = "NaN";
    else if (c === 0x49 && text.startsWith("Infinity", i)) token = "Infinity";
    else if (c === 0x2d && text.startsWith("-Infinity", i)) token = "-Infinity";
    if (token === undefined) continue;
    out += `${text.slice(last, i)}"${token}"`;
    i += token.length - 1;
    last = i + 1;
  }
  return out + text.slice(last);
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Bare tokens where a JSON value stands (after `:`, `,` or `[`, before `,`, `}` or
 * `]`), quoted in one pass of the regex engine. It may also hit a token inside a
 * string, but a quote put there ends that string before a bare letter or `-`, which
 * no JSON allows, so such a text fails to parse and goes the exact way instead.
 */
const VALUE_TOKEN = /([:,[]\s*)(NaN|-?Infinity)(?=\s*[,}\]])/g;

function parseNonFinite(text: string): unknown {
  try {
    return JSON.parse(text.replace(VALUE_TOKEN, '$1"$2"'));
  } catch {
    return JSON.parse(quoteNonFinite(text));
  }
}

export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw badRequest("Request.BadJson", "the body is not UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (first) {
    if (!/NaN|Infinity/.test(text))
      throw badRequest(
        "Request.BadJson",
        `the body is not valid JSON: ${(first as Error).message}`,
      );
    try {
      return parseNonFinite(text);
    } catch (error) {
      throw badRequest(
        "Request.BadJson",
        `the body is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
}

export async function readJson(request: Request): Promise<unknown> {
  return parseJsonBody(await readBody(request));
}
