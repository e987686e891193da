/**
 * What `goodseed serve` does once it listens, in the background, so that the first
 * page a person opens does not pay for it: Elysia composes a route's handler and
 * compiles its query schema on the route's first request (7-25 ms for
 * each batch route), and the engine runs the code
 * that writes a first view's columns unoptimized until it has run a while.
 *
 * The routes are asked for a run that cannot exist (project and run names never start
 * with a dot), so no run file is opened and nothing is kept: no run list, no cached
 * answer. The team server warms its own read path before it listens
 * (team-server/warm-up.ts).
 */

import type { SeriesColumns } from "../api/read-store.ts";
import { packedView } from "./packed-columns.ts";
import { selfHost } from "./page-warmup.ts";

/** A run key no run has: the served directory's names never start with a dot. */
const NO_RUN = encodeURIComponent(".warm-up/.none");

/** The routes of the web UI's first view, each on the run that is not there. */
export const FIRST_VIEW_ROUTES: readonly string[] = [
  "/api/runs?project=.warm-up",
  `/api/configs?run=${NO_RUN}`,
  `/api/series/packed?run=${NO_RUN}&path=loss&pointCount=100`,
  `/api/liveness?run=${NO_RUN}`,
];

/** A made-up series of `n` points, with a NaN now and then, as a run logs them. */
function madeUpSeries(n: number): SeriesColumns {
  const steps = new Float64Array(n);
  const ys = new Float64Array(n);
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i;
    ys[i] = i % 97 === 0 ? Number.NaN : Math.sin(i);
    ts[i] = 1_767_225_600 + Math.floor(i / 20);
  }
  return { steps, ys, ts, length: n };
}

/**
 * Packs views of a made-up series as a first view of a board does (`/api/series/packed`:
 * raw series and downsampled ones, whole and zoomed), a few rounds, so that the loops
 * are compiled before a page asks.
 */
function writeMadeUpViews(): void {
  const long = madeUpSeries(20_000);
  const short = madeUpSeries(300);
  for (let round = 0; round < 4; round++) {
    packedView(long, { path: "loss", pointCount: 600, first: undefined, last: undefined });
    packedView(long, { path: "loss", pointCount: 200, first: 100, last: 9_000 });
    packedView(short, { path: "loss", pointCount: 600, first: undefined, last: undefined });
  }
}

/**
 * Asks the server for each of `routes` in turn, then packs made-up views; resolves
 * when done, or at the first failure (a server stopped at once), which is ignored.
 */
export function warmServe(
  server: { readonly hostname?: string | undefined; readonly port?: number | undefined },
  routes: readonly string[] = FIRST_VIEW_ROUTES,
): Promise<void> {
  if (!server.port) return Promise.resolve();
  const base = `http://${selfHost(server.hostname ?? "")}:${server.port}`;
  return (async () => {
    for (const route of routes) await (await fetch(`${base}${route}`)).arrayBuffer();
    writeMadeUpViews();
  })().catch(() => {});
}
