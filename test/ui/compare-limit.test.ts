import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { buildHome } from "../../scripts/bench-home.ts";
import type { Listening } from "../../src/server/listen.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

// 130 runs of two short metrics over ten projects, and one run of 100 points.
const dir = tempDir("goodseed-ui-limit-");
let browser: Browser;
let server: Listening;

beforeAll(async () => {
  buildHome(dir.path, { runs: 130, points: 100, strings: 0 });
  ({ server, browser } = await serveAndLaunch(join(dir.path, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  dir[Symbol.dispose]();
});

describe("select all on a server of many runs", () => {
  it("compares the first 100 runs shown, says it left the others out, and clears them again", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/", server.url).href);
    await page.waitForSelector('th input[aria-label="Select every run shown"]');
    await page.click('th input[aria-label="Select every run shown"]');
    await waitFor(
      async () => (await page.textContent(".selection strong")) === "100 selected",
      "100 runs selected",
    );
    expect(await page.textContent(".notices")).toContain("left 31 out");
    const compared = new URL(page.url()).searchParams.get("runs")?.split(",") ?? [];
    expect(compared.length).toBe(100);
    // The first 100 rows in the table's order (newest first) are the ones compared.
    const shown = await page.$$eval("table.runs-table tbody tr[data-run]", (found) =>
      found.slice(0, 50).map((row) => row.getAttribute("data-run")),
    );
    expect(compared.slice(0, 50)).toEqual(shown as string[]);
    await page.waitForSelector("figure.chart canvas");
    // The comparison is full: the header's checkbox now clears it.
    await page.click('th input[aria-label="Clear the selection"]');
    await waitFor(async () => !page.url().includes("runs="), "the comparison cleared");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("compares the first 100 runs of a bigger group, and its checkbox then clears them", async () => {
    // Every run has lr 0.001: one group of 131.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/?group=lr", server.url).href);
    const check = page.locator("tr.group input[type=checkbox]");
    await check.waitFor();
    expect(await page.locator("tr.group").count()).toBe(1);
    await check.click();
    await waitFor(
      async () => (await page.textContent(".selection strong")) === "100 selected",
      "100 runs of the group selected",
    );
    expect(await page.textContent(".notices")).toContain("left 31 out");
    // Part of the group is compared and the comparison is full: a click clears it.
    const indeterminate = () =>
      check.evaluate((box) => (box as unknown as { indeterminate: boolean }).indeterminate);
    expect(await indeterminate()).toBe(true);
    expect(await check.getAttribute("aria-label")).toContain("Stop comparing");
    await check.click();
    await waitFor(async () => !page.url().includes("runs="), "the group's runs cleared");
    expect(await indeterminate()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
