/**
 * `/api/configs`: the configs of many runs in one answer, so that the runs table
 * fills the tags and config columns of the rows on screen with one request instead of
 * one per row. Each entry is built by the same store call and the same body builder
 * as `/api/runs/:project/:run/configs`, so it is exactly that route's answer.
 */

import type { Static } from "@sinclair/typebox";
import type { ConfigsBatchResponse } from "../api/batch-wire.ts";
import type { ReadStore } from "../api/read-store.ts";
import type { JsonText } from "../api/wire.ts";
import { configsBody } from "./bodies.ts";
import { HttpError, runNotFound } from "./http-error.ts";
import type { ConfigsQuery } from "./query-schemas.ts";

/**
 * Runs one request may ask for: a screen of rows many times over, few enough that
 * one request cannot hold the server for long.
 * @default 2000
 */
export const MAX_BATCH_RUNS = 2000;

export interface ConfigsItem {
  readonly project: string;
  readonly runId: string;
}

/** The query of `/api/configs` from every value of every name (`parseQueryAll`). */
export function configsQuery(all: ReadonlyMap<string, string[]>): Static<typeof ConfigsQuery> {
  const run = all.get("run");
  if (!run) throw new HttpError(400, "run is required: one run=project/runId per run");
  return { run };
}

/** The runs a checked query asks for, in its order. */
export function configsItems(query: Static<typeof ConfigsQuery>): ConfigsItem[] {
  if (query.run.length > MAX_BATCH_RUNS)
    throw new HttpError(400, `At most ${MAX_BATCH_RUNS} runs per request`);
  return query.run.map((key) => {
    const slash = key.lastIndexOf("/");
    if (slash <= 0 || slash === key.length - 1)
      throw new HttpError(400, `run must be project/runId, not ${JSON.stringify(key)}`);
    return { project: key.slice(0, slash), runId: key.slice(slash + 1) };
  });
}

/**
 * The answer: each run looked up and read through the store, its configs written by
 * {@link configsBody}. A run that does not exist is an entry with the per-run route's
 * 404 message, not a failed request.
 */
export async function configsBatchBody(
  store: ReadStore,
  items: readonly ConfigsItem[],
): Promise<JsonText<ConfigsBatchResponse>> {
  const entries = await Promise.all(
    items.map(async (item) => {
      const head = `{"project": ${JSON.stringify(item.project)}, "run_id": ${JSON.stringify(item.runId)}, `;
      const run = await store.run(item.project, item.runId);
      if (!run)
        return `${head}"error": ${JSON.stringify(runNotFound(item.project, item.runId).message)}}`;
      // The per-run body, with which run it is in front: `{"configs": …}`.
      return `${head}${configsBody(await store.configs(run)).slice(1)}`;
    }),
  );
  return `{"runs": [${entries.join(", ")}]}`;
}
