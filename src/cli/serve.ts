/** `goodseed serve [dir] [--port 8765] [--host 127.0.0.1] [--cors-origin <origin>]`: serves the runs under `dir`. */

import { statSync } from "node:fs";
import { FileReadStore, type StoreCacheBytes } from "../catalog/file-read-store.ts";
import { type AppOptions, closeApp, createApp, type GoodseedApp } from "../server/app.ts";
import { type Listening, listen } from "../server/listen.ts";
import { linkedRuns } from "../server/page-route.ts";
import { DEFAULT_APP_URL } from "../settings/settings.ts";
import { type CliContext, CliError, UsageError } from "./context.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export interface ServeOptions {
  dir: string;
  /** Whether the user named `dir` (else it is the home's `projects`, which may not exist yet). @default false */
  dirGiven?: boolean;
  port: number;
  /** An address or name; an IPv6 address without brackets. */
  host: string;
  /** Origins whose pages may call the API besides loopback ones and the app's (`*`: any). */
  corsOrigins?: readonly string[];
}

/** The address to listen on: `[::1]` (as in a URL) and `::1` are the same address. */
export function parseHost(text: string): string {
  const bracketed = /^\[([^\]]*)\]$/.exec(text);
  const host = bracketed ? (bracketed[1] as string) : text;
  if (host === "") throw new UsageError("--host needs an address, such as 127.0.0.1");
  return host;
}

/**
 * Refuses to serve what cannot hold runs: a path that is not a directory, or a
 * directory the user named that does not exist. The home's own `projects` may be
 * missing before the first run; it is served all the same (runs appear once written).
 */
function checkDir(context: CliContext, options: ServeOptions): void {
  const stats = statSync(options.dir, { throwIfNoEntry: false });
  if (stats?.isDirectory()) return;
  if (stats) throw new CliError(`projects directory is not a directory: ${options.dir}`);
  if (options.dirGiven) throw new CliError(`projects directory does not exist: ${options.dir}`);
  context.stderr(
    `note: no runs yet: ${options.dir} does not exist; runs show up here once a script logs one.\n`,
  );
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535, got '${text}'.`);
  return port;
}

export interface FileAppOptions {
  /** The directory served: `<home>/projects`. */
  readonly projectsDir: string;
  /** Receives warnings such as skipped unreadable run files. @default silent */
  readonly logger?: { warn(message: string): void } | undefined;
  /** Origins allowed besides loopback ones and the app's. @default [] */
  readonly corsOrigins?: readonly string[] | undefined;
  /** The goodseed web app, whose pages may call the API. @default GOODSEED_APP_URL or https://app.goodseed.ai */
  readonly appUrl?: string | undefined;
  /** The address the server is bound to. */
  readonly hostname?: string | undefined;
  /** Byte bounds of the caches behind the app. @default see {@link AppOptions} and {@link StoreCacheBytes} */
  readonly cacheBytes?: (StoreCacheBytes & { readonly runLists?: number | undefined }) | undefined;
}

/** The store behind each app {@link createFileApp} made. */
const stores = new WeakMap<GoodseedApp, FileReadStore>();

/** The HTTP app over the run files under a directory. */
export function createFileApp(options: FileAppOptions): GoodseedApp {
  const store = new FileReadStore({
    projectsDir: options.projectsDir,
    logger: options.logger,
    cacheBytes: options.cacheBytes,
  });
  const app = createApp({
    store,
    editor: store,
    listCacheBytes: options.cacheBytes?.runLists,
    corsOrigins: options.corsOrigins,
    appUrl: options.appUrl ?? DEFAULT_APP_URL,
    hostname: options.hostname,
  });
  stores.set(app, store);
  return app;
}

/** Starts the server; the returned stop() ends it. */
export function startServer(context: CliContext, options: ServeOptions): Listening {
  const app = createFileApp({
    projectsDir: options.dir,
    logger: { warn: (message) => context.stderr(`warning: ${message}\n`) },
    corsOrigins: options.corsOrigins,
    appUrl: context.env.GOODSEED_APP_URL || DEFAULT_APP_URL,
    hostname: options.host,
  });
  try {
    const store = stores.get(app);
    return listen(app, {
      hostname: options.host,
      port: options.port,
      // A link to compared runs: their series are read while the page loads.
      pageOpened: (url) => void store?.prefetchSeries(linkedRuns(url)),
    });
  } catch (error) {
    void closeApp(app);
    const reason = error instanceof Error ? error.message : String(error);
    const inUse = /in use|EADDRINUSE/i.test(reason);
    throw new CliError(
      `could not listen on ${options.host}:${options.port} (${reason}). ${inUse ? "Pick another port with --port." : "Check --host: it must be an address of this machine, such as 127.0.0.1 or 0.0.0.0."}`,
    );
  }
}

export async function serveCommand(context: CliContext, options: ServeOptions): Promise<number> {
  checkDir(context, options);
  if (!LOOPBACK.has(options.host)) {
    context.stderr(
      `warning: listening on ${options.host}: anyone who can reach this address can read and trash your runs (the API has no authentication).\n`,
    );
  }
  // A browser cannot open the wildcard address (Chrome blocks 0.0.0.0): show this machine's.
  const url = startServer(context, options)
    .url.replace("//0.0.0.0:", "//127.0.0.1:")
    .replace("//[::]:", "//[::1]:");
  context.stdout(
    `goodseed is serving ${options.dir}\nOpen ${url} to look at your runs (JSON API: ${url}api/runs). Press Ctrl-C to stop.\n`,
  );
  await new Promise<never>(() => {});
  return 0;
}
