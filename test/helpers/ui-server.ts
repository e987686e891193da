/** `goodseed serve` of a home on a free loopback port, and a browser to look at it: the UI tests' setup. */

import type { Browser } from "playwright-core";
import { createFileApp } from "../../src/cli/serve.ts";
import { type Listening, listen } from "../../src/server/listen.ts";
import { launch } from "./browser.ts";

export async function serveAndLaunch(
  projectsDir: string,
): Promise<{ server: Listening; browser: Browser }> {
  const server = listen(createFileApp({ projectsDir }), { hostname: "127.0.0.1", port: 0 });
  try {
    return { server, browser: await launch() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Closes what {@link serveAndLaunch} started; either is missing when the start failed. */
export async function closeServeAndBrowser(
  browser: Browser | undefined,
  server: Listening | undefined,
): Promise<void> {
  await browser?.close();
  await server?.stop();
}
