/** Routing and lifecycle of the HTTP app over a store. */

import { describe, expect, it } from "bun:test";
import type { ReadStore } from "../../src/api/read-store.ts";
import { FileReadStore } from "../../src/catalog/file-read-store.ts";
import { closeApp, createApp } from "../../src/server/app.ts";
import { listen } from "../../src/server/listen.ts";
import { request } from "../helpers/server.ts";
import { compatHome } from "../helpers/temp-dir.ts";

/** A file store that counts how often it was closed. */
function countingStore(projectsDir: string): { store: ReadStore; closed: () => number } {
  const inner = new FileReadStore({ projectsDir });
  let closed = 0;
  const store = new Proxy(inner, {
    get(target, key) {
      if (key === "close")
        return async () => {
          closed++;
          await target.close();
        };
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store, closed: () => closed };
}

describe("the HTTP app", () => {
  it("routes on the percent-decoded path, as the Python server does", async () => {
    await using compat = compatHome();
    const app = createApp({ store: new FileReadStore({ projectsDir: compat.projects }) });
    try {
      const projects = await request(app, "/api%2Fprojects");
      expect(projects.status).toBe(200);
      expect(projects.body.projects.length).toBeGreaterThan(0);
      const configs = await request(app, "/api%2Fruns%2Facme%2Fvision%2Fmatrix-7f3a%2Fconfigs");
      expect(configs.body.configs["sys/id"]).toBe("matrix-7f3a");
      const runs = await request(app, "/api%2Fruns?project=acme%2Fvision");
      expect(runs.body.runs.map((run: { project: string }) => run.project)).toContain(
        "acme/vision",
      );
      expect((await request(app, "/api/runs/")).status).toBe(404);
      expect((await request(app, "/api/projects/")).status).toBe(404);
      expect((await request(app, "/api/projects", "PUT")).status).toBe(405);
    } finally {
      await closeApp(app);
    }
  });

  it("closes its store when the server stops (Elysia's onStop)", async () => {
    await using compat = compatHome();
    const { store, closed } = countingStore(compat.projects);
    const server = listen(createApp({ store }), { hostname: "127.0.0.1", port: 0 });
    expect((await fetch(`${server.url}api/projects`)).status).toBe(200);
    expect(closed()).toBe(0);
    await server.stop();
    expect(closed()).toBe(1);
  });
});
