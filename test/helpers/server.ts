/** Requests against the app without a port, and real servers on free loopback ports. */

import { join } from "node:path";
import { createFileApp, type FileAppOptions } from "../../src/cli/serve.ts";
import { closeApp, type GoodseedApp } from "../../src/server/app.ts";
import { REPO_ROOT } from "./temp-dir.ts";
import { waitFor } from "./wait.ts";

/** An app on `projectsDir`; `await using` releases its watcher and connections. */
export function appFor(
  projectsDir: string,
  warnings: string[] = [],
  options: Omit<FileAppOptions, "projectsDir" | "logger"> = {},
): GoodseedApp & { [Symbol.asyncDispose](): Promise<void> } {
  const app = createFileApp({
    ...options,
    projectsDir,
    logger: { warn: (message: string) => warnings.push(message) },
  });
  return Object.assign(app, { [Symbol.asyncDispose]: () => closeApp(app) });
}

export interface JsonResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field
  body: any;
}

export async function request(
  app: GoodseedApp,
  target: string,
  method = "GET",
): Promise<JsonResult> {
  const response = await app.handle(new Request(`http://localhost${target}`, { method }));
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = probe.port as number;
  await probe.stop(true);
  return port;
}

/** Starts `goodseed serve` as its own process and waits until it answers. */
export async function serveProcess(dir: string, extra: string[] = []) {
  const port = await freePort();
  const child = Bun.spawn(
    [
      process.execPath,
      join(REPO_ROOT, "bin/goodseed.ts"),
      "serve",
      dir,
      "--port",
      String(port),
      ...extra,
    ],
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const host = extra.includes("--host")
    ? (extra[extra.indexOf("--host") + 1] as string)
    : "127.0.0.1";
  const base = `http://${host}:${port}`;
  await waitFor(async () => {
    try {
      return (await fetch(`${base}/api/projects`)).ok;
    } catch {
      return false;
    }
  }, "the server to answer");
  return {
    base,
    child,
    async [Symbol.asyncDispose]() {
      child.kill();
      await child.exited;
    },
  };
}
