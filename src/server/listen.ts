/**
 * Puts the app on a port: the web UI at `/` (a Bun HTML import, bundled ahead of time
 * and embedded in the compiled binary) and everything else through the Elysia app.
 */

import uiPage from "../ui/index.html";
import { closeApp, type GoodseedApp } from "./app.ts";

export interface Listening {
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
  stop(): Promise<void>;
}

export function listen(app: GoodseedApp, options: { hostname: string; port: number }): Listening {
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    development: false,
    routes: { "/": uiPage, "/index.html": uiPage },
    fetch: (request) => app.handle(request),
  });
  const hostname = server.hostname ?? options.hostname;
  // An IPv6 address is bracketed in a URL, once (Bun may report it bracketed already).
  const shown = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  return {
    url: `http://${shown}:${server.port}/`,
    hostname,
    port: server.port as number,
    async stop() {
      await server.stop(true);
      closeApp(app);
    },
  };
}
