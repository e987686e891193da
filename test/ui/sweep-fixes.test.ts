/**
 * What an exploratory tester found in the sweep views (issue 12, items 5 and 8): a
 * Metric menu flooded with 256 per-process metrics and starting on "none"; log axes on
 * the scatter that drew nothing or dropped runs without a word, with three ticks and no
 * decades; a category label under an axis title of the parallel coordinates.
 */

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildUiFixtureHome, type UiFixture } from "../../scripts/ui-fixture-home.ts";
import type { Listening } from "../../src/server/listen.ts";
import { screenshot } from "../helpers/browser.ts";
import { localRun } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-ui-sweep-");
let browser: Browser;
let server: Listening;
let fixture: UiFixture;

beforeAll(async () => {
  fixture = buildUiFixtureHome(join(dir.path, "home"), { millionPoints: 5000 });
  // A config with no value above 0, for a log axis with nothing to draw.
  for (const [runId, shift] of [
    ["shift-a", 0],
    ["shift-b", -1],
  ] as const) {
    const run = localRun(fixture.home, { project: "sweep/shift", runId });
    run.logConfigs({ parameters: { shift } });
    run.log("val/loss", 0.5 + shift / 10, { step: 0 });
    await run.close();
  }
  ({ server, browser } = await serveAndLaunch(join(fixture.home, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  dir[Symbol.dispose]();
});

/** The page at `query`, and the errors it throws (checked by {@link done}). */
async function open(query: string, width = 1400): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(new URL(`/?${query}`, server.url).href);
  await page.waitForSelector("section.sweep figure.parallel");
  return { page, errors };
}

async function done({ page, errors }: { page: Page; errors: string[] }): Promise<void> {
  expect(errors).toEqual([]);
  await page.close();
}

const METRIC = 'select[aria-label="Metric of the sweep views"]';

async function metricOptions(page: Page): Promise<string[]> {
  return page
    .locator(`${METRIC} option`)
    .evaluateAll((options) => options.map((option) => option.getAttribute("value") ?? ""));
}

/** The scatter once it has drawn `points` dots (or said why it has none). */
async function scatterWith(page: Page, points: number) {
  const scatter = page.locator("figure.scatter");
  await waitFor(
    async () => (await scatter.getAttribute("data-points")) === String(points),
    `a scatter of ${points} points (has ${await scatter.getAttribute("data-points")})`,
  );
  return scatter;
}

async function xTicks(page: Page): Promise<string[]> {
  return page
    .locator('figure.scatter svg text.tick[text-anchor="middle"]')
    .evaluateAll((ticks) => ticks.map((tick) => tick.textContent ?? ""));
}

describe("the sweep views' metric", () => {
  it("offers no per-process metric unless the switch shows them, and starts on the validation loss", async () => {
    const opened = await open("project=sweep%2Flr&sweep=1");
    const { page } = opened;
    await waitFor(async () => (await metricOptions(page)).length === 5, "five metrics");
    expect(await metricOptions(page)).toEqual([
      "grad/norm",
      "train/loss",
      "train/lr",
      "val/acc",
      "val/loss",
    ]);
    expect(await page.locator(METRIC).inputValue()).toBe("val/loss");
    // It draws: the metric is the last parallel axis and the scatter's y, for every run.
    await scatterWith(page, 16);
    expect(await page.locator("figure.parallel g.axis").last().getAttribute("data-axis")).toBe(
      "metric:val/loss",
    );
    expect(await page.locator(".sweep .ramp-key").textContent()).toBe(
      "Line colour: val/loss low  high",
    );
    // The switch the table uses shows them: 16 runs × 2 processes × 8 hardware metrics.
    await page.click('label:has-text("Show process and source keys") input');
    await waitFor(async () => (await metricOptions(page)).length === 5 + 256, "every metric");
    expect(await metricOptions(page)).toContain("monitoring/a0000000/cpu");
    expect(await page.locator(METRIC).inputValue()).toBe("val/loss");
    await page.click('label:has-text("Show process and source keys") input');
    await waitFor(async () => (await metricOptions(page)).length === 5, "five metrics again");
    // A metric chosen stays chosen.
    await page.selectOption(METRIC, "train/loss");
    await waitFor(() => page.url().includes("metric=metric%3Atrain%2Floss"), "the URL");
    expect(await page.locator(METRIC).inputValue()).toBe("train/loss");
    await done(opened);
  }, 60_000);
});

describe("the sweep scatter's log axes", () => {
  it("ticks a log axis at the powers of ten", async () => {
    const opened = await open(
      "project=sweep%2Flr&sweep=1&metric=min:val/loss&sx=parameters/lr&logx=1",
    );
    const scatter = await scatterWith(opened.page, 16);
    expect(await xTicks(opened.page)).toEqual([
      "1e-7",
      "1e-6",
      "1e-5",
      "1e-4",
      "0.001",
      "0.01",
      "0.1",
    ]);
    expect(await scatter.locator("text.name").first().textContent()).toBe("parameters/lr (log)");
    expect(await scatter.locator(".note").count()).toBe(0);
    // Each decade's tick stands left of the next, evenly spaced.
    const xs = await scatter
      .locator('svg text.tick[text-anchor="middle"]')
      .evaluateAll((ticks) => ticks.map((tick) => Number(tick.getAttribute("x"))));
    const gaps = xs.slice(1).map((x, index) => x - (xs[index] as number));
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0] as number, 3);
    await done(opened);
  }, 60_000);

  it("says how many runs a log axis left out for values of 0 or below", async () => {
    const opened = await open(
      "project=sweep%2Flr&sweep=1&metric=min:val/loss&sx=parameters/seed&logx=1",
    );
    const scatter = await scatterWith(opened.page, 10);
    expect(await scatter.locator(".note").textContent()).toBe(
      "6 of 16 runs left out: a log scale needs positive numbers, and their parameters/seed is 0 or below.",
    );
    // Back to linear: every run, and no note.
    await opened.page.click('figure.scatter label:has-text("log x") input');
    await scatterWith(opened.page, 16);
    expect(await scatter.locator(".note").count()).toBe(0);
    await done(opened);
  }, 60_000);

  it("offers no log axis for a text config, and draws its categories", async () => {
    const opened = await open(
      "project=sweep%2Flr&sweep=1&metric=min:val/loss&sx=parameters/optimizer&logx=1",
    );
    const scatter = await scatterWith(opened.page, 16);
    const logX = scatter.locator('label:has-text("log x") input');
    expect(await logX.isDisabled()).toBe(true);
    expect(await logX.isChecked()).toBe(false);
    expect(await scatter.locator('label:has-text("log x")').getAttribute("title")).toContain(
      "A log scale needs positive numbers",
    );
    expect(await xTicks(opened.page)).toEqual(["adam", "sgd"]);
    expect(await scatter.locator("text.name").first().textContent()).toBe("parameters/optimizer");
    // A boolean is no number either.
    await opened.page.selectOption('select[aria-label="Scatter x axis"]', "parameters/warmup");
    await waitFor(async () => (await xTicks(opened.page)).join() === "false,true", "true/false");
    expect(await scatter.locator('label:has-text("log x") input').isDisabled()).toBe(true);
    expect(await scatter.getAttribute("data-points")).toBe("16");
    await done(opened);
  }, 60_000);

  it("says why it draws nothing when no value is above 0", async () => {
    const opened = await open(
      "project=sweep%2Fshift&sweep=1&metric=metric:val/loss&sx=parameters/shift&logx=1",
    );
    const scatter = await scatterWith(opened.page, 0);
    await waitFor(async () => (await scatter.locator(".note").count()) === 1, "the note");
    expect(await scatter.locator(".note").textContent()).toBe(
      "A log scale needs positive numbers: no run has parameters/shift above 0. Turn log x off to see them.",
    );
    expect(await scatter.locator("svg").count()).toBe(0);
    await opened.page.click('figure.scatter label:has-text("log x") input');
    await scatterWith(opened.page, 2);
    await done(opened);
  }, 60_000);
});

describe("the parallel coordinates' labels", () => {
  it("never run a category label under an axis title, nor out of the drawing", async () => {
    for (const width of [1400, 390]) {
      const opened = await open("project=sweep%2Flr&sweep=1&metric=min:val/loss", width);
      const { page } = opened;
      await waitFor(
        async () => (await page.locator("figure.parallel").getAttribute("data-lines")) === "16",
        "16 lines",
      );
      const clashes = await page.locator("figure.parallel svg").evaluate((drawing) => {
        const box = drawing.getBoundingClientRect();
        const found: string[] = [];
        type Box = { left: number; right: number; top: number; bottom: number };
        const overlap = (a: Box, b: Box) =>
          a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        const names = [...drawing.querySelectorAll("g.axis text.name")];
        for (const group of drawing.querySelectorAll("g.axis")) {
          for (const tick of group.querySelectorAll("text.tick")) {
            const r = tick.getBoundingClientRect();
            for (const name of names)
              if (overlap(r, name.getBoundingClientRect()))
                found.push(`${tick.textContent} under ${name.textContent}`);
            if (r.left < box.left || r.right > box.right)
              found.push(`${tick.textContent} out of the drawing`);
          }
        }
        for (const [index, name] of names.entries())
          for (const other of names.slice(index + 1))
            if (overlap(name.getBoundingClientRect(), other.getBoundingClientRect()))
              found.push(`${name.textContent} on ${other.textContent}`);
        return found;
      });
      expect(clashes).toEqual([]);
      // "sgd" is the top label of the optimizer axis, below its title.
      const sgd = page.locator('g.axis[data-axis="parameters/optimizer"] text.tick', {
        hasText: "sgd",
      });
      const title = page.locator('g.axis[data-axis="parameters/optimizer"] text.name');
      const [sgdBox, titleBox] = [await sgd.boundingBox(), await title.boundingBox()];
      expect((sgdBox?.y ?? 0) - ((titleBox?.y ?? 0) + (titleBox?.height ?? 0))).toBeGreaterThan(4);
      if (width === 1400) await screenshot(page, "sweep-fixes");
      await done(opened);
    }
  }, 90_000);
});
