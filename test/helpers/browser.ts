/**
 * Headless Chromium (Debian's, driven by playwright-core) for the UI tests, with the
 * flags this sandbox needs; screenshots go to test-output/.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "./temp-dir.ts";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path) => Bun.file(path).size > 0,
);
export const SCREENSHOTS = join(REPO_ROOT, "test-output");

export async function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!CHROMIUM) throw new Error("Chromium is missing: apt-get install chromium (.ci/run does it)");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
