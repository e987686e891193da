/** `goodseed serve [dir] [--port 8765] [--host 127.0.0.1] [--cors-origin <origin>]`: serves the runs under `dir`. */

import { FileReadStore } from "../catalog/file-read-store.ts";
import { closeApp, createApp, type GoodseedApp } from "../server/app.ts";
import { type Listening, listen } from "../server/listen.ts";
import { DEFAULT_APP_URL } from "../settings/settings.ts";
import { type CliContext, CliError, UsageError } from "./context.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export interface ServeOptions {
  dir: string;
  port: number;
  host: string;
  /** Origins whose pages may call the API besides loopback ones and the app's (`*`: any). */
  corsOrigins?: readonly string[];
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
}

/** The HTTP app over the run files under a directory. */
export function createFileApp(options: FileAppOptions): GoodseedApp {
  return createApp({
    store: new FileReadStore({ projectsDir: options.projectsDir, logger: options.logger }),
    corsOrigins: options.corsOrigins,
    appUrl: options.appUrl ?? DEFAULT_APP_URL,
    hostname: options.hostname,
  });
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
    return listen(app, { hostname: options.host, port: options.port });
  } catch (error) {
    void closeApp(app);
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `could not listen on ${options.host}:${options.port} (${reason}). Pick another port with --port.`,
    );
  }
}

export async function serveCommand(context: CliContext, options: ServeOptions): Promise<number> {
  if (!LOOPBACK.has(options.host)) {
    context.stderr(
      `warning: listening on ${options.host}: anyone who can reach this address can read and trash your runs (the API has no authentication).\n`,
    );
  }
  const { url } = startServer(context, options);
  context.stdout(
    `goodseed is serving ${options.dir}\nOpen ${url} to look at your runs (JSON API: ${url}api/runs). Press Ctrl-C to stop.\n`,
  );
  await new Promise<never>(() => {});
  return 0;
}
