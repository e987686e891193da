/**
 * The web UI's main checks on `goodseed server` (embedded SQLite): the `sweep/lr` part of
 * the UI fixture home is uploaded with `goodseed upload`, then Chromium opens the UI
 * without a session (sent to sign in and back), sorts and filters the runs table,
 * compares runs of different lengths in a chart, shows a run's details, and edits it:
 * a rename, trash and restore.
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
    // No other page may frame the UI (and have a person's click trash runs).
    const framed = await fetch(`${team.base}/`);
    expect(framed.headers.get("x-frame-options")).toBe("DENY");
    expect(framed.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
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
    // The way back is a path of this server, never another site.
    await page.context().clearCookies();
    await page.goto(`${team.base}/signin?next=${encodeURIComponent("//example.com/")}`);
    await page.fill("#key", key);
    await page.click("button[type=submit]");
    await page.waitForURL(`${team.base}/`);
    await context.close();
  }, 60_000);

  it("sorts a numeric config column as numbers and filters on values", async () => {
    const context = await signedIn();
    const page = await open(context, "project=sweep%2Flr&cols=config:parameters/lr");
    await waitRows(page, 16, "the sweep");
    await page.click('th button[title="config parameters/lr"]');
    await waitFor(async () => page.url().includes("sort=config%3Aparameters%2Flr"), "the lr sort");
    await waitFor(
      async () => (await column(page, "config parameters/lr"))[0] === "1e-7",
      "the smallest lr first",
    );
    const lrs = (await column(page, "config parameters/lr")).map(Number);
    expect(lrs).toEqual([...lrs].sort((a, b) => a - b));
    const search = page.locator('input[type="search"]').first();
    await search.pressSequentially("lr < 1e-3");
    await waitRows(page, 8, "runs with lr below 1e-3");
    await search.pressSequentially(", optimizer = adam");
    await waitRows(page, 5, "adam runs with lr below 1e-3");
    await context.close();
  }, 60_000);

  it("compares runs of different lengths: each line continuous over its own range", async () => {
    const context = await signedIn();
    const keys = [fixture.sweep[0], fixture.sweep[7], fixture.sweep[15]] as string[];
    const page = await open(context, `runs=${keys.map(encodeURIComponent).join(",")}`);
    const chart = page.locator('figure.chart[data-path="train/lr"]');
    await chart.scrollIntoViewIfNeeded();
    await waitFor(
      async () => (await chart.getAttribute("data-series")) === "3",
      "three runs charted",
      20_000,
    );
    const data = await drawnData(chart);
    const xs = data[0] as number[];
    const lastSteps: number[] = [];
    for (const column of data.slice(1)) {
      const defined = column.flatMap((value, i) => (value === "u" ? [] : [i]));
      const first = defined[0] as number;
      const last = defined[defined.length - 1] as number;
      expect(column.slice(first, last + 1).filter((value) => value === null)).toEqual([]);
      expect(xs[first]).toBeLessThan(1);
      lastSteps.push(xs[last] as number);
    }
    expect(lastSteps[0]).toBeGreaterThan(1990);
    expect(lastSteps[0]).toBeLessThan(2000);
    expect(lastSteps[1]).toBeGreaterThan(9000);
    expect(lastSteps[2]).toBeGreaterThan(17900);
    await context.close();
  }, 60_000);

  it("shows a run's details; renames it, trashes and restores it", async () => {
    const context = await signedIn();
    const run = fixture.sweep[3] as string;
    const runId = run.split(":")[1] as string;
    const page = await open(context, `project=sweep%2Flr&run=${encodeURIComponent(run)}`);
    const details = page.locator("section.details");
    await waitFor(
      async () => (await details.locator(".configs").textContent())?.includes("parameters/lr"),
      "the run's configs in its details",
    );
    await page.waitForSelector("form.run-editor");
    const row = page.locator(`tr[data-run="${run}"]`);
    await page.fill('input[aria-label="Run name"]', "renamed in the UI");
    await page.click('form.run-editor button:has-text("Save")');
    await waitFor(
      async () => (await row.textContent())?.includes("renamed in the UI"),
      "the new name in the table",
    );
    expect(await page.textContent(".edit-error")).toBe("");
    const renamed = (await call(team.base, key, "GET", "/api/runs?project=sweep/lr")).json as {
      runs: { run_id: string; experiment_name: string | null }[];
    };
    expect(renamed.runs.find((r) => r.run_id === runId)?.experiment_name).toBe("renamed in the UI");

    await page.click('form.run-editor button:has-text("Move to trash")');
    await waitFor(async () => (await row.count()) === 0, "the run hidden in the trash");
    expect(await page.textContent(".count")).toContain("1 in the trash, hidden");
    const trashed = (await call(team.base, key, "GET", "/api/runs?project=sweep/lr")).json as {
      runs: { run_id: string; trashed: boolean }[];
    };
    expect(trashed.runs.find((r) => r.run_id === runId)?.trashed).toBe(true);
    await page.click('.notice button:has-text("Undo")');
    await waitFor(async () => (await row.count()) === 1, "the run back");
    const restored = (await call(team.base, key, "GET", "/api/runs?project=sweep/lr")).json as {
      runs: { run_id: string; trashed: boolean }[];
    };
    expect(restored.runs.find((r) => r.run_id === runId)?.trashed).toBe(false);
    await context.close();
  }, 60_000);
});
