/**
 * The run lookup of the read API, which also checks the run's series that this process
 * holds in memory: their versions, and the chunks written since they were read, come
 * back in the same query, so that a repeated view or a live poll needs no query of its
 * own after this one. The reading key's validity comes back with it too (key-check.ts).
 */

import type { SQL } from "bun";
import { pendingKeyCheck } from "./key-check.ts";
import type { HeldSeries, NewChunkRow, SeriesStore } from "./series-store.ts";

/** A row of the run lookup: the run, each held series, each chunk written since. */
interface RunRow {
  readonly id: number;
  readonly updated_ms: number;
  readonly trashed: number;
  readonly series_id: number | null;
  readonly version: number;
  readonly chunk_id: number | null;
  readonly compacted: number;
  readonly source_max_id: number | null;
  readonly body: Uint8Array | null;
  /** 1 when the reading key is still valid (see key-check.ts). */
  readonly key_ok: number;
}

/**
 * The held series as a table `h (id, version, max_chunk)`, passed as parameters of a
 * fixed number (arrays on PostgreSQL, JSON on SQLite): the statement's text is the same
 * however many series are held, so that each connection prepares and plans it once.
 */
function heldTable(sql: SQL, held: readonly HeldSeries[]) {
  if (sql.options.adapter === "sqlite")
    return sql`(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS version,
      json_extract(value, '$[2]') AS max_chunk
      FROM json_each(${JSON.stringify(held.map((one) => [one.id, one.version, one.maxChunkId]))})) AS h`;
  const column = (pick: (one: HeldSeries) => number) => sql.array(held.map(pick), "INT8");
  return sql`unnest(${column((one) => one.id)}, ${column((one) => one.version)}, ${column((one) => one.maxChunkId)}) AS h (id, version, max_chunk)`;
}

/**
 * The join of each held series' chunks written since it was read, as `c`.
 * `compacted IN (0, 1)` is every chunk, said so that the index on (series_id,
 * compacted, id) serves the id range. On PostgreSQL a lateral subquery kept apart
 * (`OFFSET 0`), so that the plan made once for every use (force_generic_plan,
 * database.ts) looks each held series' chunks up by that index instead of hashing a
 * scan of the whole table.
 */
function newChunks(sql: SQL) {
  return sql.options.adapter === "sqlite"
    ? sql`LEFT JOIN metric_chunks c ON c.series_id = s.id AND s.version <> h.version
        AND c.compacted IN (0, 1) AND c.id > h.max_chunk`
    : sql`LEFT JOIN LATERAL (SELECT id, compacted, source_max_id, body FROM metric_chunks
        WHERE series_id = s.id AND s.version <> h.version AND compacted IN (0, 1) AND id > h.max_chunk
        OFFSET 0) c ON true`;
}

/** Database ids of runs by workspace, project and run id (a run never moves), at most. */
const MAX_RUN_IDS = 100_000;

export interface FoundRun {
  readonly row: { readonly id: number; readonly updated_ms: number; readonly trashed: number };
  /** Versions of the run's series held in memory, as of this lookup. */
  readonly seriesVersions: ReadonlyMap<number, number>;
}

export class RunLookup {
  /** Database ids of runs found before, by workspace, project and run id. */
  readonly #ids = new Map<string, number>();

  async find(
    sql: SQL,
    series: SeriesStore,
    names: { readonly workspace: string; readonly project: string; readonly runId: string },
    keyId: number,
  ): Promise<FoundRun | undefined> {
    const check = pendingKeyCheck();
    const name = `${names.workspace}\u0000${names.project}\u0000${names.runId}`;
    const known = this.#ids.get(name);
    const held = known === undefined ? [] : series.held(known);
    const rows = (await sql`SELECT r.id, r.updated_ms, r.trashed, s.id AS series_id, s.version,
        c.id AS chunk_id, c.compacted, c.source_max_id, CASE WHEN c.compacted = 0 THEN c.body END AS body,
        (SELECT count(*) FROM api_keys WHERE id = ${keyId} AND revoked_at IS NULL) AS key_ok
      FROM runs r JOIN projects p ON p.id = r.project_id JOIN workspaces w ON w.id = p.workspace_id
      LEFT JOIN ${heldTable(sql, held)} ON 1 = 1
      LEFT JOIN series s ON s.id = h.id AND s.run_id = r.id AND s.has_points = 1
      ${newChunks(sql)}
      WHERE w.name = ${names.workspace} AND p.name = ${names.project} AND r.run_id = ${names.runId}
      ORDER BY s.id, c.id`) as RunRow[];
    const row = rows[0];
    if (!row) return undefined;
    if (check) {
      check.state = Number(row.key_ok) > 0 ? "valid" : "revoked";
      if (check.state === "revoked") return undefined;
    }
    if (this.#ids.size >= MAX_RUN_IDS) this.#ids.clear();
    this.#ids.set(name, Number(row.id));
    const seriesVersions = new Map<number, number>();
    const added = new Map<number, NewChunkRow[]>();
    for (const item of rows) {
      if (item.series_id === null) continue;
      const id = Number(item.series_id);
      seriesVersions.set(id, Number(item.version));
      if (item.chunk_id === null) continue;
      let chunks = added.get(id);
      if (!chunks) {
        chunks = [];
        added.set(id, chunks);
      }
      chunks.push({ ...item, id: Number(item.chunk_id) });
    }
    for (const one of held) {
      const version = seriesVersions.get(one.id);
      if (version !== undefined) series.topUp(one, version, added.get(one.id) ?? []);
    }
    return { row, seriesVersions };
  }
}
