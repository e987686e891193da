/**
 * gzip for large JSON answers. The run list of 5,000 runs is 1.5 MB of very
 * repetitive text (about 40 KB gzipped); on a loaded machine Chromium took 150-250 ms
 * to take in the plain body over loopback (some twelve 128 KB reads handed between
 * its processes) against about 100 ms for the gzipped one, and gzip costs the server a
 * few milliseconds (once per list version, since list bodies are kept).
 */

/** Bodies shorter than this go as they are: compressing them saves less than it costs. */
export const COMPRESS_FROM_CHARS = 16 * 1024;

/** Whether the request's `Accept-Encoding` takes gzip (and not with `q=0`). */
export function acceptsGzip(request: Request): boolean {
  const header = request.headers.get("accept-encoding");
  if (!header) return false;
  for (const part of header.split(",")) {
    const [coding, ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    if (coding !== "gzip") continue;
    const q = params.find((param) => param.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * `text` gzipped: level 1 for an answer built for one request (fast), 6 for one that
 * is kept and sent many times (smaller).
 */
export function gzipText(text: string, level: 1 | 6): Uint8Array {
  return Bun.gzipSync(text, { level });
}
