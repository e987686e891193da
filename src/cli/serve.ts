/** `goodseed serve [dir] [--port 8765] [--host 127.0.0.1]`: serves the runs under `dir`. */

import { statSync } from "node:fs";
import { closeApp, createApp } from "../server/app.ts";
import { type Listening, listen } from "../server/listen.ts";
import { type CliContext, CliError, UsageError } from "./context.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export interface ServeOptions {
  dir: string;
  /** Whether the user named `dir` (else it is the home's `projects`, which may not exist yet). @default false */
  dirGiven?: boolean;
  port: number;
  /** An address or name; an IPv6 address without brackets. */
  host: string;
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
  if (stats) throw new CliError(`Projects directory is not a directory: ${options.dir}`);
  if (options.dirGiven) throw new CliError(`Projects directory does not exist: ${options.dir}`);
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

/** Starts the server; the returned stop() ends it. */
export function startServer(context: CliContext, options: ServeOptions): Listening {
  const app = createApp({
    projectsDir: options.dir,
    logger: { warn: (message) => context.stderr(`warning: ${message}\n`) },
  });
  try {
    return listen(app, { hostname: options.host, port: options.port });
  } catch (error) {
    closeApp(app);
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `could not listen on ${options.host}:${options.port} (${reason}). Pick another port with --port.`,
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
  const { url } = startServer(context, options);
  context.stdout(
    `goodseed is serving ${options.dir}\nOpen ${url} to look at your runs (JSON API: ${url}api/runs). Press Ctrl-C to stop.\n`,
  );
  await new Promise<never>(() => {});
  return 0;
}
