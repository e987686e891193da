/**
 * What a server process does once before it listens, so that the first request of a
 * user does not pay for compiling the read path and preparing its statements: a key
 * check, the run lookup and the chunk read (on ids no row has), and a series decoded
 * from chunks and downsampled as the read API does it (in memory, on made-up points).
 */

import { BucketMemo, bucketedBody, downsampledAnswer, downsampledBody } from "../server/bodies.ts";
import { HeadedBody } from "../server/headed-body.ts";
import { type Columns, decodeChunk, encodeChunk } from "./chunk-codec.ts";
import type { Database } from "./database.ts";
import { keyIsValid } from "./key-check.ts";
import { verifyKey } from "./keys.ts";
import { buildOverview, overviewBuckets } from "./overview.ts";
import { RunLookup } from "./run-lookup.ts";
import { readChunksForWarmUp } from "./series-columns.ts";
import type { SeriesStore } from "./series-store.ts";

/** A well-formed key that no row holds (its id part is all zeros, never made). */
const NO_KEY = `gsk_000000000000_${"0".repeat(32)}`;
/** A workspace name no workspace can have (names start with a letter or digit). */
export const WARM_UP_WORKSPACE = "-warm-up";

function madeUpColumns(n: number, fractional: boolean): Columns {
  const steps = new Float64Array(n);
  const ys = new Float64Array(n);
  const tsMs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = fractional ? i + 0.25 : i;
    ys[i] = i % 97 === 0 ? Number.NaN : Math.sin(i);
    tsMs[i] = 1_767_225_600_000 + (fractional ? i * 37 : i * 1000);
  }
  return { steps, ys, tsMs, length: n };
}

/**
 * Runs the read path once: `request` answers a view of a run in a workspace no key has,
 * through the read API of the server's handler (its routes, the run lookup's query).
 */
export async function warmUp(
  db: Database,
  series: SeriesStore,
  request: (url: string) => Promise<Response>,
): Promise<void> {
  await verifyKey(db, NO_KEY);
  await warmConnections(db, series);
  await (
    await request(
      `http://127.0.0.1/api/runs/${WARM_UP_WORKSPACE}/warm-up/run/metrics?path=loss&pointCount=1000`,
    )
  ).arrayBuffer();
  // Plain and deflated chunks, as compaction writes them, decoded into one series,
  // then downsampled as a first view is (a few times, so the loops get compiled).
  const bodies = [
    encodeChunk(madeUpColumns(20_000, false)),
    encodeChunk(madeUpColumns(20_000, true)),
  ];
  for (const body of bodies) decodeChunk(body);
  const memo = new BucketMemo();
  for (let round = 0; round < 3; round++) {
    const columns = readChunksForWarmUp(bodies);
    downsampledBody(columns, { path: "loss", pointCount: 1000, first: undefined, last: undefined });
    downsampledBody(columns, { path: "loss", pointCount: 100, first: 10, last: 30_000 });
    // A first view from an overview, and a repeated one from a kept head, gzipped.
    const overview = overviewBuckets(await buildOverview(columns), 100);
    if (overview)
      bucketedBody(
        "loss",
        overview.total,
        { first: 0, last: overview.total - 1 },
        overview.buckets,
        overview,
      );
    const request = { path: "loss", pointCount: 300, first: undefined, last: undefined };
    const answer = downsampledAnswer(columns, request, memo);
    if (answer instanceof HeadedBody) answer.gzip();
  }
}

/**
 * Runs the read path's statements (key check, run lookup, chunk reads) on every
 * connection of the pool, opening them all (SQLite has one, used as it is). A
 * PostgreSQL backend's first statements on a table load its catalog entries and plan
 * from cold (4–9 ms each for the run lookup), and the pool hands requests to its
 * connections in turn, so without this each of a live view's first polls paid that.
 */
async function warmConnections(db: Database, series: SeriesStore): Promise<void> {
  const reserved =
    db.poolSize > 1
      ? await Promise.all(Array.from({ length: db.poolSize }, () => db.sql.reserve()))
      : [];
  try {
    const lookup = new RunLookup();
    const names = { workspace: WARM_UP_WORKSPACE, project: "warm-up", runId: "run" };
    await Promise.all(
      (reserved.length > 0 ? reserved : [db.sql]).map(async (connection) => {
        await keyIsValid(connection, 0);
        await lookup.find(connection, series, names, 0);
        await series.metricColumns(connection, 0);
        await series.warm(connection);
      }),
    );
  } finally {
    for (const connection of reserved) connection.release();
  }
}
