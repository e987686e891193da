/** `goodseed serve [dir] [--port 8765] [--host 127.0.0.1]`: serves the runs under `dir`. */

import { closeApp, createApp } from "../server/app.ts";
import { type Listening, listen } from "../server/listen.ts";
import { type CliContext, CliError, UsageError } from "./context.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export interface ServeOptions {
  dir: string;
  port: number;
  host: string;
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
