/**
 * Puts the app on a port, as the app's own server (so its `onStop` hooks run on
 * `stop`): the web UI at `/` (a Bun HTML import, bundled ahead of time and embedded in
 * the compiled binary, served by page-route.ts) and everything else through the app's
 * routes.
 *
 * The socket is opened without port reuse: a second server on a taken port must fail
 * (with `reusePort: true`, Elysia's default, both start and split the requests).
 */

import uiPage from "../ui/index.html";
import type { GoodseedApp } from "./app.ts";
import { pageRoutes } from "./page-route.ts";
import { warmPage } from "./page-warmup.ts";
import { warmServe } from "./serve-warmup.ts";

export interface Listening {
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
  stop(): Promise<void>;
}

export function listen(
  app: GoodseedApp,
  options: {
    hostname: string;
    port: number;
    /** Told the URL each time the web UI's page is opened (see page-route.ts). */
    pageOpened?: ((url: URL) => void) | undefined;
  },
): Listening {
  // Bun.serve here rather than app.listen(): Elysia's listen maps the routes onto Bun's
  // native router, through which a 1.4 MB run list was measured 5 times slower
  // (bench-serve: 11 ms against 2 ms per /api/runs). The server is handed to the app,
  // so that app.stop() stops it and runs the app's onStop hooks, as after app.listen().
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    reusePort: false,
    development: false,
    routes: pageRoutes(uiPage, options.pageOpened),
    fetch: (request) => app.handle(request),
  });
  app.server = server;
  // The page's bundle first (the longer wait), then the routes its first view asks.
  void warmPage(server).then(() => warmServe(server));
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
