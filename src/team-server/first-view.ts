/**
 * The first view of a series that this process does not hold: answered from the
 * series' overview when one is kept at its version and the view asks for the whole
 * series (overview.ts), else, for a long series whose chunks simply follow each other,
 * by streaming its chunks through the buckets (streamed-view.ts); else the chunks come
 * back for the caller to read the series whole.
 */

import type { SQL } from "bun";
import type { DownsampleRange } from "../api/read-store.ts";
import { bucketedBody } from "../server/bodies.ts";
import { bytesOf, type ChunkMeta, type ChunkRow, inOrder } from "./chunk-rows.ts";
import { overviewBuckets } from "./overview.ts";
import { StreamedView } from "./streamed-view.ts";

/** Chunk rows with their bodies, or without (null) where a query left them out. */
type MaybeBodies = ChunkMeta & { readonly body: Uint8Array | null };

/** A first view's answer, or the chunks to read the series whole from (undefined: read them). */
export type FirstView =
  | { readonly text: string; readonly source: "overview" | "streamed" }
  | { readonly rows: readonly ChunkRow[] | undefined };

/** The overview of series `seriesId` at `version`, if one is kept. */
const overviewRow = (sql: SQL, seriesId: number, version: number) =>
  sql`SELECT body FROM series_overviews WHERE series_id = ${seriesId} AND version = ${version}` as Promise<
    { body: Uint8Array }[]
  >;

/** The chunks of series `seriesId`, their bodies only when it is shorter than `streamFrom`. */
const chunkRows = (sql: SQL, seriesId: number, streamFrom: number) =>
  sql`SELECT id, compacted, point_count, first_step, last_step,
      CASE WHEN (SELECT sum(point_count) FROM metric_chunks WHERE series_id = ${seriesId}) < ${streamFrom}
        THEN body END AS body
    FROM metric_chunks WHERE series_id = ${seriesId} ORDER BY id` as Promise<MaybeBodies[]>;

/** The bodies of series `seriesId`'s chunks, by chunk id. */
const chunkBodies = (sql: SQL, seriesId: number) =>
  sql`SELECT id, body FROM metric_chunks WHERE series_id = ${seriesId}` as Promise<
    { id: number; body: Uint8Array }[]
  >;

/**
 * Feeds `view` the bodies of `ordered` chunks of series `seriesId`, decoded in turn;
 * false when a chunk went away meanwhile (compaction swapped it).
 */
async function feedBodies(
  sql: SQL,
  seriesId: number,
  ordered: readonly ChunkMeta[],
  view: StreamedView,
): Promise<boolean> {
  const bodies = new Map(
    (await chunkBodies(sql, seriesId)).map((row) => [Number(row.id), row.body]),
  );
  for (const chunk of ordered) {
    const body = bodies.get(Number(chunk.id));
    if (body === undefined) return false;
    view.feed({ id: chunk.id, point_count: chunk.point_count, body });
  }
  return true;
}

/**
 * The first view of series `seriesId` (at `version`) for `request`; series shorter
 * than `streamFrom` points are never streamed nor answered from an overview.
 */
export async function firstView(
  sql: SQL,
  seriesId: number,
  version: number,
  request: DownsampleRange & { readonly path: string },
  streamFrom: number,
): Promise<FirstView> {
  // The overview, when it may answer, is asked at the same time as the chunks.
  const overview =
    (request.first ?? 0) <= 0 ? overviewRow(sql, seriesId, version) : Promise.resolve([]);
  const chunks = chunkRows(sql, seriesId, streamFrom);
  overview.catch(() => {});
  chunks.catch(() => {});
  const [kept] = await overview;
  const answer = kept && overviewBuckets(bytesOf(kept.body), request.pointCount);
  if (
    answer &&
    answer.total >= streamFrom &&
    (request.last === undefined || request.last >= answer.total - 1)
  ) {
    const range = { first: 0, last: answer.total - 1 };
    const text = bucketedBody(request.path, answer.total, range, answer.buckets, answer);
    return { text, source: "overview" };
  }
  const rows = await chunks;
  const order = inOrder(rows);
  const total = order?.points ?? 0;
  const first = request.first === undefined ? 0 : Math.max(0, request.first);
  const last = request.last === undefined ? total - 1 : Math.min(total - 1, request.last);
  if (order === undefined || total < streamFrom || last - first + 1 <= request.pointCount)
    return { rows: rows.every((row): row is ChunkRow => row.body !== null) ? rows : undefined };
  const view = new StreamedView(request.path, total, first, last, request.pointCount);
  if (!(await feedBodies(sql, seriesId, order.ordered, view))) return { rows: undefined };
  return { text: view.body(), source: "streamed" };
}

/** Runs a first view's statements on `sql` for a series no row has (for warm-up.ts). */
export async function warmFirstView(sql: SQL, streamFrom: number): Promise<void> {
  await overviewRow(sql, 0, 0);
  await chunkRows(sql, 0, streamFrom);
  await chunkBodies(sql, 0);
}
