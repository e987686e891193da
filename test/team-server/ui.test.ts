/**
 * The web UI's main checks on `goodseed server` (embedded SQLite): the `sweep/lr` part of
 * the UI fixture home is uploaded with `goodseed upload`, then Chromium opens the UI
 * without a session (sent to sign in and back), sorts and filters the runs table,
 * compares runs of different lengths in a chart, shows a run's details, and edits it:
 * trash and restore work, a rename is refused in words (the server keeps names as
 * uploaded).
 */

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { buildUiFixtureHome, type UiFixture } from "../../scripts/ui-fixture-home.ts";
import { launch } from "../helpers/browser.ts";
import {
  call,
  keyFor,
  type TeamFixture,
  teamServer,
  useTeamServers,
} from "../helpers/team-server.ts";
import { REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

useTeamServers();

const dir = tempDir("goodseed-team-ui-");
let fixture: UiFixture;
let team: TeamFixture;
let key: string;
let browser: Browser;

beforeAll(async () => {
  fixture = buildUiFixtureHome(join(dir.path, "home"), { millionPoints: 10 });
  // Only the sweep travels: the other projects would make the upload slow.
  for (const project of ["sweep/seeds", "big/long", "wide/metrics", "live/now"])
    rmSync(join(fixture.home, "projects", project), { recursive: true, force: true });
  team = await teamServer("sqlite", { homeWorkspace: "default" });
  key = await keyFor(team.databaseUrl, ["sweep"]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !name.startsWith("GOODSEED_")) env[name] = value;
  const upload = Bun.spawn(
    [process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), "upload", "-p", "sweep/lr"],
    {
      env: {
        ...env,
        GOODSEED_HOME: fixture.home,
        GOODSEED_API_URL: team.base,
        GOODSEED_API_KEY: key,
      },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  // Asynchronously: the server answering the upload runs in this process.
  const code = await upload.exited;
  if (code !== 0)
    throw new Error(`goodseed upload exited ${code}: ${await new Response(upload.stderr).text()}`);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await team?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

/** A browser context signed in with the key (its session cookie). */
async function signedIn(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const answer = await context.request.post(`${team.base}/api/session`, { data: { key } });
  expect(answer.status()).toBe(200);
  return context;
}

async function open(context: BrowserContext, query: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${team.base}/?${query}`);
  await page.waitForSelector("table.runs-table tbody tr[data-run]");
  expect(errors).toEqual([]);
  return page;
}

const rows = (page: Page) => page.locator("table.runs-table tbody tr[data-run]");

async function waitRows(page: Page, count: number, what: string): Promise<void> {
  await waitFor(async () => (await rows(page).count()) === count, what);
}

/** The text of each visible row's cell under the header whose title is `title`. */
async function column(page: Page, title: string): Promise<string[]> {
  const titles = await page.$$eval("table.runs-table thead tr > th", (cells) =>
    cells.map((cell) => cell.querySelector("button")?.getAttribute("title") ?? ""),
  );
  const index = titles.indexOf(title);
  return page.$$eval(
    "table.runs-table tbody tr[data-run]",
    (found, i) => found.map((row) => row.children[i]?.textContent ?? ""),
    index,
  );
}

/** What a chart last handed to uPlot: the aligned columns, undefined marked "u". */
async function drawnData(chart: Locator): Promise<(number | null | "u")[][]> {
  return chart.evaluate((element) => {
    const figure = element as unknown as { plotData?: (number | null | undefined)[][] };
    return (figure.plotData ?? []).map((column) =>
      Array.from(column, (value) => (value === undefined ? "u" : value)),
    );
  }) as Promise<(number | null | "u")[][]>;
}

describe("the web UI on goodseed server", () => {
  it("sends a browser without a session to sign in, then back to the view it opened", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const view = `${team.base}/?project=sweep%2Flr&cols=config:parameters/batch_size&sort=config:parameters/batch_size&order=asc#top`;
    await page.goto(view);
    await page.waitForURL((url) => url.pathname === "/signin");
    expect(new URL(page.url()).searchParams.get("next")).toBe(view.slice(team.base.length));
    await page.fill("#key", key);
    await page.click("button[type=submit]");
    await page.waitForURL(view);
    await waitRows(page, 16, "the sweep's runs");
    // The batch sizes, sorted as numbers (64 < 128 < 512), ascending.
    await waitFor(
      async () => (await column(page, "config parameters/batch_size")).every((v) => v !== ""),
      "every batch size",
    );
    const batches = (await column(page, "config parameters/batch_size")).map(Number);
    expect(batches).toEqual([...batches].sort((a, b) => a - b));
    expect(batches[0]).toBe(64);
    expect(batches.at(-1)).toBe(512);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
