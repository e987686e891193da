/**
 * Bun bundles an HTML import (the web UI) on the first request for it: 0.3-1 s of
 * work that would otherwise be the first visitor's wait, on the critical path of the
 * first page. A server asks itself for its page once, in the background, as it starts.
 */

/** The address a server on `hostname` answers itself on. */
export function selfHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "[::1]";
  return hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
}

/**
 * Fetches `/` from the server in the background; resolves once it is in (failures, a
 * server stopped at once, are ignored).
 */
export function warmPage(server: {
  readonly hostname?: string | undefined;
  readonly port?: number | undefined;
}): Promise<void> {
  if (!server.port) return Promise.resolve();
  return fetch(`http://${selfHost(server.hostname ?? "")}:${server.port}/`)
    .then((response) => response.arrayBuffer())
    .then(
      () => {},
      () => {},
    );
}
