/** The local JSON API (`/api/projects`, `/api/runs`, the per-run endpoints) over the database. */

import { HttpError } from "../server/http-error.ts";
import { route } from "../server/routes.ts";
import { splitTarget } from "../server/url-decoding.ts";
import {
  configsBody,
  downsampledBody,
  findRun,
  metricPathsBody,
  projectsBody,
  type ReadContext,
  type RunListCache,
  rawMetricsBody,
  setTrashed,
  stringSeriesBody,
} from "./local-reads.ts";
import type { SeriesTrace } from "./series-store.ts";

const INTEGER = /^[+-]?\d+$/;

function integer(value: string | undefined, message: string): number | undefined {
  if (value === undefined) return undefined;
  if (!INTEGER.test(value)) throw new HttpError(400, message);
  return Number(value);
}

export async function localRoute(
  request: Request,
  context: ReadContext,
  runs: RunListCache,
): Promise<{ body: string | null; status?: number; trace?: SeriesTrace }> {
  const { path, query } = splitTarget(request.url);
  const target = route(request.method, path);
  switch (target.kind) {
    case "preflight":
      return { body: null, status: 204 };
    case "projects":
      return { body: await projectsBody(context) };
    case "runs":
      return { body: await runs.body(context, query.get("project")) };
    case "run":
      break;
  }
  const { project, runId, endpoint } = target;
  switch (endpoint) {
    case "trash":
    case "trash/restore":
      await setTrashed(context, project, runId, endpoint === "trash");
      return { body: '{"ok": true}' };
    default:
  }
  const run = await findRun(context, project, runId);
  const trace: SeriesTrace = {};
  switch (endpoint) {
    case "configs":
      return { body: await configsBody(context, run) };
    case "metric-paths":
      return { body: await metricPathsBody(context, run) };
    case "metrics": {
      const path = query.get("path");
      const pointCountText = query.get("pointCount");
      if (pointCountText === undefined)
        return { body: await rawMetricsBody(context, run, path, trace), trace };
      if (path === undefined) throw new HttpError(400, "pointCount requires a path parameter");
      const pointCount = integer(pointCountText, "pointCount must be an integer") as number;
      const message = "firstPointIndex and lastPointIndex must be integers";
      const first = integer(query.get("firstPointIndex"), message);
      const last = integer(query.get("lastPointIndex"), message);
      if (pointCount < 1) throw new HttpError(400, "pointCount must be a positive integer");
      return {
        body: await downsampledBody(context, run, { path, pointCount, first, last }, trace),
        trace,
      };
    }
    default: {
      const message = "limit, offset, and tail must be integers";
      const body = await stringSeriesBody(context, run, {
        path: query.get("path"),
        limit: integer(query.get("limit"), message),
        offset: integer(query.get("offset"), message),
        tail: integer(query.get("tail"), message),
      });
      return { body };
    }
  }
}
