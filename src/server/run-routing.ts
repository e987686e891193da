/**
 * How a per-run request reaches its run: the run route's `transform` reads project and
 * run from the whole percent-decoded path and looks the run up; the app's fallback
 * hands paths that Elysia's router cannot match (a project spanning segments, an
 * encoded slash) to the run route of their endpoint.
 */

import type { ReadStore, RunHandle } from "../api/read-store.ts";
import { notFound, runNotFound } from "./http-error.ts";
import { runTarget } from "./run-target.ts";
import { splitTarget } from "./url-decoding.ts";

/** What a route's `transform` gets from Elysia and may rewrite. */
export interface TransformContext {
  request: Request;
  params: unknown;
  query: unknown;
}

export class RunRouting {
  readonly #store: ReadStore;
  /** The run each per-run request names, looked up before its query is checked. */
  readonly #handles = new WeakMap<Request, RunHandle>();
  /** The original target of a request that the fallback route handed to a run route. */
  readonly #originals = new WeakMap<Request, string>();

  constructor(store: ReadStore) {
    this.#store = store;
  }

  /**
   * The per-run routes' `transform`: project and run come from the whole
   * percent-decoded path (as the Python server reads them, with `<project>` greedy
   * over slashes), the run is looked up (a 404 comes before any 400), and the query is
   * replaced by the Python decoding of the parameters `query` keeps.
   */
  transform(
    method: "GET" | "POST",
    query: (params: ReadonlyMap<string, string>) => object = () => ({}),
  ): (context: TransformContext) => Promise<void> {
    return async (context) => {
      const target = splitTarget(this.#originals.get(context.request) ?? context.request.url);
      const { project, runId } = runTarget(method, target.path);
      const run = await this.#store.run(project, runId);
      if (!run) throw runNotFound(project, runId);
      this.#handles.set(context.request, run);
      context.params = { project, run: runId };
      context.query = query(target.query);
    };
  }

  /** The run that the `transform` of `request`'s route looked up. */
  handleOf(request: Request): RunHandle {
    return this.#handles.get(request) as RunHandle;
  }

  /**
   * The request to hand to the run route of the endpoint that `path` (decoded) names,
   * which reads the original target; a 404 for any other path, or for a request that
   * was handed on once already.
   */
  reroute(request: Request, path: string): Request {
    if (!path.startsWith("/api/runs/") || this.#originals.has(request)) throw notFound();
    const { endpoint } = runTarget(request.method === "GET" ? "GET" : "POST", path);
    const routed = new Request(new URL(`/api/runs/-/-/${endpoint}`, request.url).href, request);
    this.#originals.set(routed, request.url);
    return routed;
  }
}
