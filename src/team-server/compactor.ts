/**
 * Background compaction of metric chunks: each request writes a small chunk per
 * series; once a series has a few, they are merged (with the chunks they overlap, and
 * the last chunk while it is small) into sorted chunks of up to 65,536 points with
 * disjoint step ranges, so that a series costs few rows and reads as a plain
 * concatenation. The rewrite changes no point: the series' version stays.
 *
 * Ingest must never wait long for it (a batch's p99 is a promise): the chunks are read
 * and merged outside any transaction, a few at a time with the event loop let go in
 * between, and only the swap (delete the chunks read, insert the merged ones) runs
 * under the series row's lock, which ingest holds while it writes, so that chunk ids
 * of a series are committed in id order (readers' live tails depend on it). A swap
 * that finds a chunk it read already gone (another server compacted it) changes
 * nothing and is tried again on a later pass.
 */

import type { SQL } from "bun";
import { type Columns, decodeChunk, encodeChunk } from "./chunk-codec.ts";
import type { Database } from "./database.ts";
import { CHUNK_POINTS } from "./ingest.ts";
import { mergeSeries, split } from "./series-merge.ts";

/** Uncompacted chunks a series gathers before it is compacted. */
export const MIN_CHUNKS = 4;
/**
 * Uncompacted chunks one compaction folds at most (the oldest): bounds the work of one
 * pass, so that a series that fell behind is caught up in several short steps.
 */
export const MAX_FRESH_CHUNKS = 64;
/**
 * A last compacted chunk below this many points is folded into the next compaction
 * of its series. Above it, it is left as it is: folding a large tail into every
 * compaction re-encodes each point of a live series many times over.
 */
const TAIL_POINTS = CHUNK_POINTS / 4;

interface ChunkRow {
  id: number;
  first_step: number;
  last_step: number;
  point_count: number;
  body: Uint8Array;
}

/** Lets requests that are waiting run between two pieces of compaction work. */
const letGo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Another compactor rewrote a chunk this one read: nothing is changed. */
class Superseded extends Error {}

/** Compacts one series; returns whether it rewrote anything. */
export async function compactSeries(
  sql: SQL,
  seriesId: number,
  minChunks = MIN_CHUNKS,
  maxFresh = MAX_FRESH_CHUNKS,
): Promise<boolean> {
  // Chunk ids of a series are committed in order, so the oldest fresh chunks are a
  // prefix: every fresh chunk left out is newer than all that are folded in.
  const fresh: ChunkRow[] =
    await sql`SELECT id, first_step, last_step, point_count, body FROM metric_chunks
    WHERE series_id = ${seriesId} AND compacted = 0 ORDER BY id LIMIT ${maxFresh}`;
  if (fresh.length < minChunks) return false;
  const low = Math.min(...fresh.map((chunk) => Number(chunk.first_step)));
  const high = Math.max(...fresh.map((chunk) => Number(chunk.last_step)));
  const overlapping: ChunkRow[] =
    await sql`SELECT id, first_step, last_step, point_count, body FROM metric_chunks
    WHERE series_id = ${seriesId} AND compacted = 1 AND last_step >= ${low} AND first_step <= ${high}`;
  const [tail] = (await sql`SELECT id, first_step, last_step, point_count, body FROM metric_chunks
    WHERE series_id = ${seriesId} AND compacted = 1 ORDER BY first_step DESC LIMIT 1`) as ChunkRow[];
  if (
    tail &&
    Number(tail.point_count) < TAIL_POINTS &&
    high >= Number(tail.first_step) &&
    !overlapping.some((chunk) => Number(chunk.id) === Number(tail.id))
  )
    overlapping.push(tail);
  const decode = async (chunks: ChunkRow[]): Promise<Columns[]> => {
    const out: Columns[] = [];
    for (const chunk of chunks) {
      out.push(decodeChunk(new Uint8Array(chunk.body)));
      await letGo();
    }
    return out;
  };
  const merged = mergeSeries(await decode(overlapping), await decode(fresh));
  const old = [...fresh, ...overlapping].map((chunk) => Number(chunk.id));
  // The newest chunk folded in: a reader's cache that has seen it has every point here.
  const sourceMaxId = Math.max(...old);
  const rows: Record<string, number | Uint8Array>[] = [];
  for (const part of split(merged, CHUNK_POINTS)) {
    await letGo();
    rows.push({
      series_id: seriesId,
      compacted: 1,
      source_max_id: sourceMaxId,
      point_count: part.length,
      first_step: part.steps[0] as number,
      last_step: part.steps[part.length - 1] as number,
      body: encodeChunk(part),
    });
  }
  try {
    return await sql.begin(async (tx) => {
      await tx`UPDATE series SET version = version WHERE id = ${seriesId}`;
      const deleted = await tx`DELETE FROM metric_chunks WHERE id IN ${tx(old)} RETURNING id`;
      if (deleted.length !== old.length) throw new Superseded();
      if (rows.length > 0)
        await tx`INSERT INTO metric_chunks ${tx(rows, "series_id", "compacted", "source_max_id", "point_count", "first_step", "last_step", "body")}`;
      return true;
    });
  } catch (error) {
    if (error instanceof Superseded) return false;
    throw error;
  }
}

/** Compacts every series that needs it, a batch at a time; returns how many it rewrote. */
export async function compactAll(
  db: Database,
  minChunks = MIN_CHUNKS,
  batch = 50,
): Promise<number> {
  const due =
    await db.sql`SELECT series_id FROM metric_chunks WHERE compacted = 0 GROUP BY series_id HAVING count(*) >= ${minChunks} LIMIT ${batch}`;
  let done = 0;
  for (const row of due) if (await compactSeries(db.sql, Number(row.series_id), minChunks)) done++;
  return done;
}

/**
 * Runs {@link compactAll} every `intervalMs` until stopped, then `afterPass` (the other
 * background upkeep); a failure is retried next time.
 */
export class Compactor {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly db: Database,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly afterPass: () => Promise<unknown> = async () => {},
  ) {}

  start(): void {
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = (async () => {
        try {
          while (!this.#stopped && (await compactAll(this.db)) > 0) {}
          if (!this.#stopped) await this.afterPass();
        } catch (error) {
          this.onError(error);
        }
      })().finally(() => this.#schedule());
    }, this.intervalMs);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
