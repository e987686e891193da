/**
 * Puts the app on a port through Elysia's own `listen` (so its `onStop` hooks run on
 * `stop`): the web UI at `/` (a Bun HTML import, bundled ahead of time and embedded in
 * the compiled binary) and everything else through the app's routes.
 *
 * The socket is opened without port reuse: a second server on a taken port must fail
 * (Elysia's default, `reusePort: true`, lets both start and splits requests between them).
 */

import uiPage from "../ui/index.html";
import type { GoodseedApp } from "./app.ts";

export interface Listening {
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
  stop(): Promise<void>;
}

export function listen(app: GoodseedApp, options: { hostname: string; port: number }): Listening {
  app.config.serve = {
    ...app.config.serve,
    routes: { "/": uiPage, "/index.html": uiPage },
  };
  app.listen({
    hostname: options.hostname,
    port: options.port,
    reusePort: false,
    development: false,
  });
  const server = app.server;
  if (!server) throw new Error("the server did not start");
  const hostname = server.hostname ?? options.hostname;
  const bare = hostname.replace(/^\[(.*)\]$/, "$1");
  const shown = bare.includes(":") ? `[${bare}]` : bare;
  return {
    url: `http://${shown}:${server.port}/`,
    hostname,
    port: server.port as number,
    async stop() {
      // Stops the socket and runs the app's onStop hooks (which close its store).
      if (app.server) await app.stop(true);
    },
  };
}
