/**
 * Keeps the overviews (overview.ts) of long metric series current, in the background:
 * a series of at least `minPoints` points whose run has been quiet for `quietMs` (no
 * upload) and whose overview is missing or of an older version is read whole and its
 * overview written, tagged with the version it was read at. A reader uses an overview
 * only at that version, so one written late, or by another server, is never wrong:
 * at worst unused. Several servers on one database may each write the same one.
 */

import type { Database } from "./database.ts";
import { CHUNK_POINTS, METRIC } from "./ingest.ts";
import { buildOverview, MIN_SHIFT } from "./overview.ts";
import { readSeries } from "./series-columns.ts";

export interface OverviewKeeperOptions {
  /** Series shorter than this get no overview (they are read whole fast). @default 100000 */
  readonly minPoints?: number | undefined;
  /** A run written to within this long is left until it is quiet. @default 1000 */
  readonly quietMs?: number | undefined;
  /**
   * A series' overview is written again at most this often by one process (a run that
   * is quiet now and then between uploads). @default 30000
   */
  readonly rewriteMs?: number | undefined;
  /** At start, runs written within this long are looked at. @default 1 hour */
  readonly lookBackMs?: number | undefined;
}

/** Runs written this much before the last pass are looked at again (clocks of other servers). */
const MARGIN_MS = 60_000;
/** Series found too short, remembered at most (by id, with the version found). */
const MAX_SHORT = 100_000;
/** Series summed in one query. */
const BATCH = 500;

/** Lets requests that are waiting run between two overviews. */
const letGo = () => new Promise<void>((resolve) => setImmediate(resolve));

export class OverviewKeeper {
  readonly #db: Database;
  readonly #minPoints: number;
  readonly #quietMs: number;
  /** Runs written after this (ms) are looked at. */
  #since: number;
  /** Versions of series found shorter than `minPoints`, not summed again at that version. */
  readonly #short = new Map<number, number>();
  /** When this process last wrote each series' overview. */
  readonly #written = new Map<number, number>();
  readonly #rewriteMs: number;

  constructor(db: Database, options: OverviewKeeperOptions = {}, now = Date.now()) {
    this.#db = db;
    this.#minPoints = options.minPoints ?? 100_000;
    this.#quietMs = options.quietMs ?? 1000;
    this.#rewriteMs = options.rewriteMs ?? 30_000;
    this.#since = now - (options.lookBackMs ?? 3_600_000);
  }

  /** One pass: writes the overviews that are due; returns how many. */
  async refresh(now = Date.now()): Promise<number> {
    const { sql } = this.#db;
    const upTo = now - this.#quietMs;
    if (upTo <= this.#since) return 0;
    // A series of minPoints or more has a chunk of a quarter of a full one at least
    // (compaction merges small chunks into full ones): the others are not summed.
    const stale = (await sql`SELECT s.id, s.version FROM runs r
        JOIN series s ON s.run_id = r.id AND s.kind = ${METRIC} AND s.has_points = 1
        LEFT JOIN series_overviews o ON o.series_id = s.id
      WHERE r.updated_ms > ${this.#since} AND r.updated_ms <= ${upTo}
        AND (o.version IS NULL OR o.version <> s.version)
        AND EXISTS (SELECT 1 FROM metric_chunks c WHERE c.series_id = s.id
          AND c.point_count >= ${Math.min(this.#minPoints, CHUNK_POINTS / 4)})`) as {
      id: number;
      version: number;
    }[];
    const unknown = stale.filter((row) => this.#short.get(Number(row.id)) !== Number(row.version));
    let written = 0;
    for (let start = 0; start < unknown.length; start += BATCH) {
      const batch = unknown.slice(start, start + BATCH);
      const sums = (await sql`SELECT series_id, sum(point_count) AS n FROM metric_chunks
        WHERE series_id IN ${sql(batch.map((row) => Number(row.id)))} GROUP BY series_id`) as {
        series_id: number;
        n: number;
      }[];
      const points = new Map(sums.map((row) => [Number(row.series_id), Number(row.n)]));
      for (const row of batch) {
        const id = Number(row.id);
        if ((points.get(id) ?? 0) < this.#minPoints) {
          if (this.#short.size >= MAX_SHORT) this.#short.clear();
          this.#short.set(id, Number(row.version));
          continue;
        }
        // A live run that pauses now and then is not read whole at every pause.
        if (now - (this.#written.get(id) ?? Number.NEGATIVE_INFINITY) < this.#rewriteMs) continue;
        if (await this.#write(id)) {
          written++;
          if (this.#written.size >= MAX_SHORT) this.#written.clear();
          this.#written.set(id, now);
        }
        await letGo();
      }
    }
    // Runs written later than the quiet ones looked at now are looked at next time.
    this.#since = Math.max(this.#since, upTo - MARGIN_MS);
    return written;
  }

  /** Reads series `id` whole and writes its overview; false when it changed meanwhile. */
  async #write(id: number): Promise<boolean> {
    const { sql } = this.#db;
    const version = async () =>
      Number(
        ((await sql`SELECT version FROM series WHERE id = ${id}`)[0] as { version: number })
          .version,
      );
    const before = await version();
    const series = await readSeries(sql, id);
    // Ingest writes the chunks and the new version in one transaction: the same version
    // on both sides of the read means the read saw that version's points.
    if ((await version()) !== before || series.length === 0) return false;
    // A level at a time, letting requests run in between (a level of a million points
    // takes a few milliseconds).
    const body = await buildOverview(series, MIN_SHIFT, letGo);
    await sql`INSERT INTO series_overviews (series_id, version, point_count, body)
      VALUES (${id}, ${before}, ${series.length}, ${body})
      ON CONFLICT (series_id) DO UPDATE SET version = excluded.version,
        point_count = excluded.point_count, body = excluded.body`;
    return true;
  }
}
