/**
 * Who may talk to `goodseed serve` (issue 13 items 4 and 5): CORS only for allowed
 * origins, 403 for foreign Host names and for POSTs from other origins or without
 * JSON, one server per port. HTTP through `app.handle`, a real Chromium page on
 * another origin, and real `goodseed serve` processes.
 */

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { createFileApp } from "../../src/cli/serve.ts";
import { closeApp, type GoodseedApp } from "../../src/server/app.ts";
import { type Listening, listen } from "../../src/server/listen.ts";
import { launch } from "../helpers/browser.ts";
import { freePort } from "../helpers/server.ts";
import { compatHome, REPO_ROOT } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

const RUN = "/api/runs/acme/vision/matrix-7f3a";

function send(app: GoodseedApp, target: string, headers: Record<string, string>, method = "GET") {
  return app.handle(new Request(`http://127.0.0.1:8765${target}`, { method, headers }));
}

describe("access policy over HTTP", () => {
  it("answers CORS only to allowed origins, and * to clients that are no web page", async () => {
    await using compat = compatHome();
    const app = createFileApp({
      projectsDir: compat.projects,
      appUrl: "https://app.example.test",
      corsOrigins: ["https://lab.example.test"],
    });
    try {
      const origin = async (value: string | undefined) =>
        (await send(app, "/api/runs", value ? { origin: value } : {})).headers.get(
          "access-control-allow-origin",
        );
      expect(await origin(undefined)).toBe("*");
      expect(await origin("http://localhost:5173")).toBe("http://localhost:5173");
      expect(await origin("http://127.0.0.1:8765")).toBe("http://127.0.0.1:8765");
      expect(await origin("https://app.example.test")).toBe("https://app.example.test");
      expect(await origin("https://lab.example.test")).toBe("https://lab.example.test");
      expect(await origin("https://evil.example")).toBeNull();
      // A name that only begins like a loopback address is someone's domain.
      expect(await origin("http://127.0.0.5:3000")).toBe("http://127.0.0.5:3000");
      expect(await origin("http://127.0.0.1.attacker.example")).toBeNull();
      expect(await origin("http://127.0.0.1.attacker.example:8765")).toBeNull();
      const vary = (await send(app, "/api/runs", {})).headers.get("vary");
      expect(vary).toBe("Origin");
      // A preflight from a foreign origin is refused, one from the app allowed (with
      // Chrome's private-network permission).
      const evil = await send(app, "/api/runs", { origin: "https://evil.example" }, "OPTIONS");
      expect(evil.status).toBe(403);
      const ok = await send(
        app,
        `${RUN}/trash`,
        {
          origin: "https://app.example.test",
          "access-control-request-method": "POST",
          "access-control-request-private-network": "true",
        },
        "OPTIONS",
      );
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-private-network")).toBe("true");
    } finally {
      await closeApp(app);
    }
  });

  it("refuses a Host that is not this server's (DNS rebinding)", async () => {
    await using compat = compatHome();
    const app = createFileApp({ projectsDir: compat.projects, hostname: "127.0.0.1" });
    try {
      const status = async (host: string) => (await send(app, `${RUN}/configs`, { host })).status;
      expect(await status("evil.example:8765")).toBe(403);
      expect(await status("attacker.example")).toBe(403);
      expect(await status("127.0.0.1.attacker.example:8765")).toBe(403);
      expect(await status("127.attacker.example")).toBe(403);
      for (const host of ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "10.1.2.3:8765"])
        expect(await status(host)).toBe(200);
      const body = (await (await send(app, "/api/projects", { host: "evil.example" })).json()) as {
        error: string;
      };
      expect(body.error).toContain("Host");
    } finally {
      await closeApp(app);
    }
  });

  it("lets a page trash a run only from an allowed origin and with JSON", async () => {
    await using compat = compatHome();
    const app = createFileApp({ projectsDir: compat.projects });
    try {
      const trash = (headers: Record<string, string>) => send(app, `${RUN}/trash`, headers, "POST");
      const trashed = async () =>
        (
          (await (await send(app, "/api/runs?project=acme/vision", {})).json()) as {
            runs: { run_id: string; trashed: boolean }[];
          }
        ).runs.find((run: { run_id: string }) => run.run_id === "matrix-7f3a")?.trashed;
      expect(
        (await trash({ origin: "https://evil.example", "content-type": "text/plain" })).status,
      ).toBe(403);
      expect(
        (await trash({ origin: "https://evil.example", "content-type": "application/json" }))
          .status,
      ).toBe(403);
      expect(
        (await trash({ origin: "http://localhost:8765", "content-type": "text/plain" })).status,
      ).toBe(403);
      expect((await trash({ "sec-fetch-site": "cross-site" })).status).toBe(403);
      expect(await trashed()).toBe(false);
      const allowed = await trash({
        origin: "http://localhost:8765",
        "content-type": "application/json",
      });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:8765");
      expect(await trashed()).toBe(true);
      // A client that is no web page (the Python client, curl, check_server.py) as before.
      expect((await send(app, `${RUN}/trash/restore`, {}, "POST")).status).toBe(200);
      expect(await trashed()).toBe(false);
    } finally {
      await closeApp(app);
    }
  });
});

describe("access policy in a browser", () => {
  let browser: Browser;
  let api: Listening;
  let evil: ReturnType<typeof Bun.serve>;
  let friend: ReturnType<typeof Bun.serve>;
  const compat = compatHome();

  beforeAll(async () => {
    // Chrome's local-network checks would block a non-loopback page before our policy is asked.
    browser = await launch([
      "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,LocalNetworkAccessChecks",
    ]);
    const page = (origin: string) =>
      new Response(`<!doctype html><title>${origin}</title>`, {
        headers: { "content-type": "text/html" },
      });
    evil = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => page("evil") });
    friend = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => page("friend") });
    // The pages are served by the browser itself (page.route) on names other than
    // loopback ones; the two servers only reserve their ports.
    api = listen(
      createFileApp({
        projectsDir: compat.projects,
        hostname: "127.0.0.1",
        corsOrigins: [`http://friend.test:${friend.port}`],
      }),
      { hostname: "127.0.0.1", port: 0 },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    evil?.stop(true);
    friend?.stop(true);
    await compat[Symbol.asyncDispose]();
  });

  /** Runs `script` in a page of `origin` (a name the browser resolves to 127.0.0.1). */
  async function inPage(origin: string, script: string): Promise<unknown> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.route(`${origin}/`, (route) =>
        route.fulfill({ contentType: "text/html", body: "<!doctype html><title>page</title>" }),
      );
      await page.goto(`${origin}/`);
      return await page.evaluate(script);
    } finally {
      await context.close();
    }
  }

  it("a page on another origin can neither read runs nor trash them", async () => {
    const base = `http://127.0.0.1:${api.port}`;
    const result = (await inPage(
      `http://evil.test:${evil.port}`,
      `(async () => {
        const out = {};
        try { await (await fetch(${JSON.stringify(`${base}${RUN}/configs`)})).json(); out.read = "read"; }
        catch { out.read = "blocked"; }
        try { await fetch(${JSON.stringify(`${base}${RUN}/trash`)}, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" }); out.simplePost = "sent"; }
        catch { out.simplePost = "failed"; }
        try { const r = await fetch(${JSON.stringify(`${base}${RUN}/trash`)}, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }); out.jsonPost = r.status; }
        catch { out.jsonPost = "blocked"; }
        return out;
      })()`,
    )) as Record<string, unknown>;
    expect(result.read).toBe("blocked");
    expect(result.jsonPost).toBe("blocked");
    const runs = (await (await fetch(`${base}/api/runs?project=acme/vision`)).json()) as {
      runs: { run_id: string; trashed: boolean }[];
    };
    expect(runs.runs.find((run: { run_id: string }) => run.run_id === "matrix-7f3a")?.trashed).toBe(
      false,
    );
  });

  it("no page, of any origin, can show the UI in a frame (to have a click trash runs)", async () => {
    const base = `http://127.0.0.1:${api.port}`;
    for (const path of [
      "/",
      "/index.html",
      `/?runs=${encodeURIComponent("acme/vision:matrix-7f3a")}`,
    ]) {
      const response = await fetch(`${base}${path}`);
      expect(await response.text()).toContain('<main id="app">');
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    }
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const origin = `http://evil.test:${evil.port}`;
      await page.route(`${origin}/`, (route) =>
        route.fulfill({
          contentType: "text/html",
          body: `<!doctype html><iframe src="${base}/?run=acme%2Fvision%3Amatrix-7f3a"></iframe>`,
        }),
      );
      // "load" waits for the frame too, whether it loaded or was refused.
      await page.goto(`${origin}/`, { waitUntil: "load" });
      const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      expect(frame).toBeDefined();
      expect(await frame?.$("main#app")).toBeNull();
    } finally {
      await context.close();
    }
  });

  it("a page of an allowed origin reads runs and trashes them", async () => {
    const base = `http://127.0.0.1:${api.port}`;
    const result = (await inPage(
      `http://friend.test:${friend.port}`,
      `(async () => {
        const configs = await (await fetch(${JSON.stringify(`${base}${RUN}/configs`)})).json();
        const r = await fetch(${JSON.stringify(`${base}${RUN}/trash`)}, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        return { id: configs.configs["sys/id"], trash: r.status };
      })()`,
    )) as Record<string, unknown>;
    expect(result).toEqual({ id: "matrix-7f3a", trash: 200 });
    await fetch(`${base}${RUN}/trash/restore`, { method: "POST" });
  });
});

describe("goodseed serve", () => {
  it("takes --cors-origin and GOODSEED_APP_URL; a second serve on a taken port fails with 'pick another port'", async () => {
    await using compat = compatHome();
    const port = await freePort();
    const start = () =>
      Bun.spawn(
        [
          process.execPath,
          join(REPO_ROOT, "bin/goodseed.ts"),
          "serve",
          compat.projects,
          "--port",
          String(port),
          "--cors-origin",
          "https://lab.example.test",
        ],
        {
          stdout: "pipe",
          stderr: "pipe",
          env: { ...process.env, GOODSEED_APP_URL: "https://app.example.test/some/page" },
        },
      );
    const first = start();
    try {
      await waitFor(async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/api/projects`)).ok;
        } catch {
          return false;
        }
      }, "the first server to answer");
      // --cors-origin and GOODSEED_APP_URL reach the policy; other origins get no CORS.
      const allowOrigin = async (origin: string) =>
        (await fetch(`http://127.0.0.1:${port}/api/projects`, { headers: { origin } })).headers.get(
          "access-control-allow-origin",
        );
      expect(await allowOrigin("https://lab.example.test")).toBe("https://lab.example.test");
      expect(await allowOrigin("https://app.example.test")).toBe("https://app.example.test");
      expect(await allowOrigin("https://evil.example")).toBeNull();
      const second = start();
      const code = await second.exited;
      const stderr = await new Response(second.stderr as ReadableStream<Uint8Array>).text();
      expect(code).toBe(1);
      expect(stderr).toContain("Pick another port with --port");
    } finally {
      first.kill();
      await first.exited;
    }
  });
});
