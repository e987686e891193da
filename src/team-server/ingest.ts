/**
 * `POST /api/v1/runs/{id}/ingest`: metric and string points, in one transaction.
 * A point that is not valid is left out and reported, never failing the batch (a
 * client would resend it forever). Within the request the last point of a
 * (kind, path, step) wins; against stored points the later timestamp wins, and on
 * equal timestamps the later request. Metric points are stored as one packed chunk
 * per series and request; string points as rows.
 */

import type { SQL } from "bun";
import { badRequest } from "./api-error.ts";
import { encodeChunk } from "./chunk-codec.ts";
import type { Principal } from "./keys.ts";
import type { Rejected } from "./registry.ts";
import { batchColumns, split } from "./series-merge.ts";
import { requireWorkspace, runById, runNotFound, touchCatalog } from "./tenancy.ts";
import { utf8 } from "./utf8.ts";

export const METRIC = 0;
export const STRING = 1;
/** Points a chunk holds at most. */
export const CHUNK_POINTS = 65_536;
/** Rows per multi-row INSERT (below both databases' parameter limits). */
const ROWS_PER_STATEMENT = 1000;

interface SeriesPoints {
  readonly kind: number;
  readonly path: string;
  readonly steps: number[];
  readonly values: (number | string)[];
  readonly tsMs: number[];
}

function numberValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return undefined;
}

export interface ParsedPoints {
  readonly series: SeriesPoints[];
  readonly rejected: Rejected[];
  readonly accepted: number;
}

/** Validates a body's points and groups them by series. */
export function parsePoints(raw: unknown, nowMs: number): ParsedPoints {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw badRequest("Request.WrongType", "the body must be a JSON object with 'points'");
  const points = (raw as { points?: unknown }).points;
  if (!Array.isArray(points)) throw badRequest("Request.WrongType", "'points' must be a list");
  const series = new Map<string, SeriesPoints>();
  const rejected: Rejected[] = [];
  let accepted = 0;
  points.forEach((item: unknown, index: number) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      rejected.push({ index, error: "a point must be an object" });
      return;
    }
    const point = item as Record<string, unknown>;
    const { path, step, timestampMs } = point;
    if (typeof path !== "string" || path === "") {
      rejected.push({ index, error: "'path' must be a non-empty string" });
      return;
    }
    if (typeof step !== "number" || !Number.isFinite(step)) {
      rejected.push({ index, error: `'step' of '${path}' must be a finite number` });
      return;
    }
    const ts = timestampMs === undefined ? nowMs : timestampMs;
    if (typeof ts !== "number" || !Number.isFinite(ts)) {
      rejected.push({ index, error: `'timestampMs' of '${path}' must be a finite number` });
      return;
    }
    const hasNumber = "number" in point && point.number !== null;
    const hasText = "text" in point && point.text !== null;
    let kind: number;
    let value: number | string;
    if (hasNumber && !hasText) {
      const number = numberValue(point.number);
      if (number === undefined) {
        rejected.push({
          index,
          error: `'number' of '${path}' must be a number, "NaN", "Infinity" or "-Infinity"`,
        });
        return;
      }
      kind = METRIC;
      value = number;
    } else if (hasText && !hasNumber && typeof point.text === "string") {
      kind = STRING;
      value = point.text;
    } else {
      rejected.push({
        index,
        error: `a point of '${path}' needs either 'number' or a string 'text'`,
      });
      return;
    }
    const key = `${kind}\u0000${path}`;
    let group = series.get(key);
    if (!group) {
      group = { kind, path, steps: [], values: [], tsMs: [] };
      series.set(key, group);
    }
    group.steps.push(step === 0 ? 0 : step);
    group.values.push(value);
    group.tsMs.push(ts);
    accepted++;
  });
  return { series: [...series.values()], rejected, accepted };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/**
 * The run `remoteId`, checked for writing, its change time set and its row locked until
 * COMMIT, in one round trip: a request of a run waits for the one before it, and the
 * rest of the transaction waits on nothing else of the run.
 */
async function writableRun(tx: SQL, principal: Principal, remoteId: string): Promise<number> {
  if (!/^\d{1,15}$/.test(remoteId)) throw runNotFound(remoteId);
  const [row] = await tx`UPDATE runs SET updated_ms = ${Date.now()} WHERE id = ${Number(remoteId)}
    RETURNING id, (SELECT w.name FROM projects p JOIN workspaces w ON w.id = p.workspace_id
      WHERE p.id = runs.project_id) AS workspace`;
  if (!row || !principal.roles.has(row.workspace)) throw runNotFound(remoteId);
  requireWorkspace(principal, row.workspace, "write");
  return Number(row.id);
}

/** A metric chunk row without its series id (a type, not an interface: `tx(rows)` wants an index signature). */
type ChunkRow = {
  compacted: number;
  point_count: number;
  first_step: number;
  last_step: number;
  body: Uint8Array;
};

/** A string point row without its series id. */
type StringRow = {
  step: number;
  ts_ms: number;
  value: Uint8Array;
};

/**
 * Stores the parsed points of one request: one transaction, answered after COMMIT.
 * Everything that costs CPU (sorting, packing, UTF-8) is done before it begins, so that
 * the locks it takes are held only for the statements.
 */
export async function writePoints(
  sql: SQL,
  principal: Principal,
  remoteId: string,
  parsed: ParsedPoints,
): Promise<void> {
  const groups = parsed.series
    .map((group) => {
      const chunks: ChunkRow[] = [];
      const strings: StringRow[] = [];
      if (group.kind === METRIC) {
        const columns = batchColumns(group.steps, group.values as number[], group.tsMs);
        for (const part of split(columns, CHUNK_POINTS))
          chunks.push({
            compacted: 0,
            point_count: part.length,
            first_step: part.steps[0] as number,
            last_step: part.steps[part.length - 1] as number,
            body: encodeChunk(part, 1),
          });
      } else {
        const last = new Map<number, number>();
        for (const [i, step] of group.steps.entries()) last.set(step, i);
        for (const i of last.values())
          strings.push({
            step: group.steps[i] as number,
            ts_ms: group.tsMs[i] as number,
            value: utf8(group.values[i] as string),
          });
      }
      return { kind: group.kind, pathBytes: utf8(group.path), chunks, strings };
    })
    .sort((a, b) => a.kind - b.kind || compareBytes(a.pathBytes, b.pathBytes));
  await sql.begin(async (tx) => {
    if (groups.length === 0) {
      await runById(tx, principal, remoteId, "write");
      return;
    }
    const runId = await writableRun(tx, principal, remoteId);
    // Series rows next, in one order for every request, so that two requests of one
    // run lock them in the same order.
    // One statement creates the new series and bumps the version of the others (a
    // version of 1 is a series that is new, so the run list changes).
    const ids = new Map<string, number>();
    let created = false;
    for (let start = 0; start < groups.length; start += ROWS_PER_STATEMENT) {
      const rows = groups.slice(start, start + ROWS_PER_STATEMENT).map((group) => ({
        run_id: runId,
        kind: group.kind,
        path: group.pathBytes,
        has_points: 1,
        version: 1,
      }));
      const answered =
        await tx`INSERT INTO series ${tx(rows, "run_id", "kind", "path", "has_points", "version")}
        ON CONFLICT (run_id, kind, path) DO UPDATE SET version = series.version + 1, has_points = 1
        RETURNING id, kind, path, version`;
      for (const row of answered) {
        ids.set(`${row.kind}\u0000${Buffer.from(row.path).toString("hex")}`, Number(row.id));
        if (Number(row.version) === 1) created = true;
      }
    }
    if (created) await touchCatalog(tx);

    const chunks: (ChunkRow & { series_id: number })[] = [];
    const strings: (StringRow & { series_id: number })[] = [];
    for (const group of groups) {
      const id = ids.get(
        `${group.kind}\u0000${Buffer.from(group.pathBytes).toString("hex")}`,
      ) as number;
      for (const chunk of group.chunks) chunks.push({ ...chunk, series_id: id });
      for (const point of group.strings) strings.push({ ...point, series_id: id });
    }
    for (let start = 0; start < chunks.length; start += ROWS_PER_STATEMENT)
      await tx`INSERT INTO metric_chunks ${tx(chunks.slice(start, start + ROWS_PER_STATEMENT), "series_id", "compacted", "point_count", "first_step", "last_step", "body")}`;
    for (let start = 0; start < strings.length; start += ROWS_PER_STATEMENT) {
      await tx`INSERT INTO string_points ${tx(strings.slice(start, start + ROWS_PER_STATEMENT), "series_id", "step", "ts_ms", "value")}
        ON CONFLICT (series_id, step) DO UPDATE SET ts_ms = excluded.ts_ms, value = excluded.value WHERE excluded.ts_ms >= string_points.ts_ms`;
    }
  });
}
