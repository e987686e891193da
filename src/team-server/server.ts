/**
 * `goodseed server` as a value: opens the database (failing at once when it cannot be
 * reached), applies the migrations, and serves the web UI, the local JSON API and the
 * remote protocol on one port. `stop()` finishes the requests in flight, then closes
 * the database.
 */

import { pageRoutes } from "../server/page-route.ts";
import { warmPage } from "../server/page-warmup.ts";
import uiPage from "../ui/index.html";
import { createTeamApp, type TeamAppOptions } from "./app.ts";
import { Compactor } from "./compactor.ts";
import { type Database, openDatabase, redactUrl } from "./database.ts";
import { LATEST_VERSION, migrate, SchemaTooNewError } from "./migrations.ts";
import { OverviewKeeper, type OverviewKeeperOptions } from "./overview-keeper.ts";

export interface TeamServerOptions extends Omit<TeamAppOptions, "db"> {
  readonly databaseUrl: string;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default 8765 */
  readonly port?: number;
  /** Pause between compaction passes over the metric chunks. @default 2000 */
  readonly compactIntervalMs?: number;
  /** Overviews of long series (overview-keeper.ts), kept after each compaction pass. */
  readonly overviews?: OverviewKeeperOptions;
}

export interface TeamServer {
  readonly url: string;
  readonly port: number;
  readonly db: Database;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class DatabaseUnreachableError extends Error {
  override name = "DatabaseUnreachableError";
}

export async function startTeamServer(options: TeamServerOptions): Promise<TeamServer> {
  let db: Database;
  try {
    db = await openDatabase(options.databaseUrl);
  } catch (error) {
    throw new DatabaseUnreachableError(
      `could not open the database at ${redactUrl(options.databaseUrl)}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  try {
    const applied = await migrate(db);
    if (applied.length > 0)
      options.log?.(
        JSON.stringify({
          time: new Date().toISOString(),
          event: "schema migrated",
          versions: applied,
          database: db.location,
        }),
      );
  } catch (error) {
    await db.close();
    if (error instanceof SchemaTooNewError) throw error;
    throw new DatabaseUnreachableError(
      `could not bring the database at ${db.location} to schema version ${LATEST_VERSION}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const app = createTeamApp({ ...options, db, hostname: options.host ?? "127.0.0.1" });
  const overviews = new OverviewKeeper(db, {
    minPoints: options.streamViewsFrom,
    ...options.overviews,
  });
  const compactor = new Compactor(
    db,
    options.compactIntervalMs ?? 2000,
    (error) =>
      options.log?.(
        JSON.stringify({
          time: new Date().toISOString(),
          event: "background upkeep failed",
          error: String(error),
        }),
      ),
    () => overviews.refresh(),
  );
  compactor.start();
  // Before listening, so that the first request does not compile the read path.
  await app.warmUp().catch((error: unknown) =>
    options.log?.(
      JSON.stringify({
        time: new Date().toISOString(),
        event: "warm-up failed",
        error: String(error),
      }),
    ),
  );
  const server = Bun.serve({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 8765,
    // A port in use is an error, not shared with the other process (Bun's default on Linux).
    reusePort: false,
    development: false,
    // Room above the 64 MiB limit, so that a larger body gets our JSON 413, not a bare one.
    maxRequestBodySize: 80 * 2 ** 20,
    routes: pageRoutes(uiPage),
    fetch: (request) => app.handle(request),
  });
  void warmPage(server);
  const hostname = server.hostname ?? options.host ?? "127.0.0.1";
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await server.stop(false);
      await compactor.stop();
      await db.close();
    })();
    return stopping;
  };
  return {
    url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${server.port}/`,
    port: server.port as number,
    db,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
