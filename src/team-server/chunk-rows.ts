/**
 * Metric chunk rows as the series reads fetch them, and the order of their points when
 * the chunks simply follow each other.
 */

/** Bun.SQL answers BLOB/bytea as a Buffer already: no copy of a chunk's bytes. */
export const bytesOf = (body: unknown): Uint8Array =>
  body instanceof Uint8Array ? body : new Uint8Array(body as ArrayBuffer);

/** What a chunk row says about its points, without them. */
export interface ChunkMeta {
  readonly id: number;
  readonly compacted: number;
  readonly point_count: number;
  readonly first_step: number;
  readonly last_step: number;
}

/** A chunk row as a whole-series read fetches it. */
export interface ChunkRow extends ChunkMeta {
  readonly body: Uint8Array;
}

/**
 * The chunks in the order of their points when they simply follow each other
 * (compacted ones with disjoint step ranges, then fresh ones each after the last
 * step), with the points they hold; undefined when they must be merged.
 */
export function inOrder<Row extends ChunkMeta>(
  rows: readonly Row[],
): { ordered: Row[]; points: number } | undefined {
  const base = rows
    .filter((chunk) => Number(chunk.compacted) === 1)
    .sort((a, b) => Number(a.first_step) - Number(b.first_step));
  const newer = rows.filter((chunk) => Number(chunk.compacted) !== 1);
  const ordered = [...base, ...newer];
  let points = 0;
  for (let i = 0; i < ordered.length; i++) {
    const chunk = ordered[i] as Row;
    points += Number(chunk.point_count);
    if (i > 0 && Number((ordered[i - 1] as Row).last_step) >= Number(chunk.first_step))
      return undefined;
  }
  return { ordered, points };
}
