/**
 * `/api/liveness`: for each asked run, whether its writer is still alive (see
 * `ReadStore.liveness`), in one answer for every running run a page shows. A run
 * that does not exist is an entry with the per-run routes' 404 message.
 */

import type { Static } from "@sinclair/typebox";
import type { LivenessEntry, LivenessResponse } from "../api/batch-wire.ts";
import type { ReadStore } from "../api/read-store.ts";
import type { JsonText } from "../api/wire.ts";
import { isoFromMicros } from "../values/time.ts";
import { HttpError, runNotFound } from "./http-error.ts";
import type { LivenessQuery } from "./query-schemas.ts";

/** Runs one request may ask about. @default 2000 */
export const MAX_LIVENESS_RUNS = 2000;

/** The query from every value of every name (`parseQueryAll`). */
export function livenessQuery(all: ReadonlyMap<string, string[]>): Static<typeof LivenessQuery> {
  const run = all.get("run");
  if (!run) throw new HttpError(400, "run is required: one run=project/runId per run");
  if (run.length > MAX_LIVENESS_RUNS)
    throw new HttpError(400, `At most ${MAX_LIVENESS_RUNS} runs per request`);
  return { run };
}

function splitRun(key: string): { project: string; runId: string } {
  const slash = key.lastIndexOf("/");
  if (slash <= 0 || slash === key.length - 1)
    throw new HttpError(400, `run must be project/runId, not ${JSON.stringify(key)}`);
  return { project: key.slice(0, slash), runId: key.slice(slash + 1) };
}

export async function livenessBody(
  store: ReadStore,
  query: Static<typeof LivenessQuery>,
): Promise<JsonText<LivenessResponse>> {
  const asked = query.run.map(splitRun);
  const runs = await Promise.all(
    asked.map(async ({ project, runId }): Promise<LivenessEntry> => {
      const handle = await store.run(project, runId);
      if (!handle) return { project, run_id: runId, error: runNotFound(project, runId).message };
      const liveness = await store.liveness(handle);
      return {
        project,
        run_id: runId,
        state: liveness.state,
        status: liveness.status,
        reason: liveness.reason,
        last_seen:
          liveness.lastSignMs === undefined
            ? null
            : isoFromMicros(Math.round(liveness.lastSignMs * 1000)),
      };
    }),
  );
  return JSON.stringify({ runs } satisfies LivenessResponse);
}
