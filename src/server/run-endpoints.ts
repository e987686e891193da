/** The per-run endpoints: parameter validation, the file lookup, and trash/restore. */

import { Database } from "bun:sqlite";
import { statSync, utimesSync } from "node:fs";
import {
  configsBody,
  downsampledBody,
  metricPathsBody,
  type QueryContext,
  rawMetricsBody,
  stringSeriesBody,
} from "../catalog/run-queries.ts";
import type { SeriesTrace } from "../series/series-cache.ts";
import { fileVersion } from "../storage/connection-pool.ts";
import type { ServerState } from "./app.ts";
import { HttpError } from "./http-error.ts";
import { jsonResponse } from "./json.ts";
import type { Route } from "./routes.ts";
import { runFilePath } from "./routes.ts";

const INTEGER = /^[+-]?\d+$/;

function integer(value: string | undefined, message: string): number | undefined {
  if (value === undefined) return undefined;
  if (!INTEGER.test(value)) throw new HttpError(400, message);
  return Number(value);
}

type RunRoute = Extract<Route, { kind: "run" }>;

export async function runEndpoint(
  state: ServerState,
  target: RunRoute,
  query: Map<string, string>,
): Promise<Response> {
  let version = undefined as ReturnType<typeof fileVersion>;
  const file = runFilePath(state.root, target.project, target.runId, (candidate) => {
    version = fileVersion(candidate);
    return version !== undefined;
  });
  const current = version as unknown as NonNullable<ReturnType<typeof fileVersion>>;
  type Body = string | ReadableStream<Uint8Array>;
  const read = async (body: (context: QueryContext) => Body | Promise<Body>): Promise<Response> => {
    const trace: SeriesTrace = {};
    try {
      const response = jsonResponse(
        await state.pool.with(file, current, (db) =>
          body({ db, file, version: current, series: state.series, trace }),
        ),
      );
      if (trace.source !== undefined)
        response.headers.set(
          "server-timing",
          `series;desc="${trace.source}";dur=${(trace.ms ?? 0).toFixed(1)}`,
        );
      return response;
    } catch (error) {
      state.pool.forget(file);
      state.series.forget(file);
      throw error;
    }
  };
  switch (target.endpoint) {
    case "configs":
      return read(configsBody);
    case "metric-paths":
      return read(metricPathsBody);
    case "metrics": {
      const path = query.get("path");
      const pointCountText = query.get("pointCount");
      if (pointCountText === undefined) return read((db) => rawMetricsBody(db, path));
      if (path === undefined) throw new HttpError(400, "pointCount requires a path parameter");
      const pointCount = integer(pointCountText, "pointCount must be an integer") as number;
      const message = "firstPointIndex and lastPointIndex must be integers";
      const first = integer(query.get("firstPointIndex"), message);
      const last = integer(query.get("lastPointIndex"), message);
      if (pointCount < 1) throw new HttpError(400, "pointCount must be a positive integer");
      return read((db) => downsampledBody(db, { path, pointCount, first, last }));
    }
    case "string_series": {
      const message = "limit, offset, and tail must be integers";
      const request = {
        path: query.get("path"),
        limit: integer(query.get("limit"), message),
        offset: integer(query.get("offset"), message),
        tail: integer(query.get("tail"), message),
      };
      return read((db) => stringSeriesBody(db, request));
    }
    case "trash":
      setTrashed(state, file, true);
      return jsonResponse('{"ok": true}');
    case "trash/restore":
      setTrashed(state, file, false);
      return jsonResponse('{"ok": true}');
  }
}

/**
 * Marks a run trashed or not. The file's mtime is put back afterwards: trashing is
 * not a change to the run's data, so it must not reorder `/api/projects`.
 */
function setTrashed(state: ServerState, file: string, trashed: boolean): void {
  const before = statSync(file);
  state.pool.forget(file);
  state.series.forget(file);
  const db = new Database(file, { readwrite: true, create: false, strict: true });
  try {
    db.run("PRAGMA busy_timeout=5000");
    db.transaction(() => {
      if (trashed)
        db.run("INSERT OR REPLACE INTO run_meta (key, value) VALUES ('trashed', 'true')");
      else db.run("DELETE FROM run_meta WHERE key = 'trashed'");
    }).immediate();
  } finally {
    db.close();
  }
  utimesSync(file, before.atimeMs / 1000, before.mtimeMs / 1000);
  state.catalog.invalidate(file);
}
