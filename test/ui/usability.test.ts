/**
 * What trying the UI as a new user found clumsy: an opened run's details far below its
 * charts, a run of 68 metrics as an 8,000-pixel page, a config diff of many runs that
 * widened a phone's page.
 */

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildUiFixtureHome, type UiFixture } from "../../scripts/ui-fixture-home.ts";
import type { Listening } from "../../src/server/listen.ts";
import { screenshot } from "../helpers/browser.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-ui-usability-");
let browser: Browser;
let server: Listening;
let fixture: UiFixture;

beforeAll(async () => {
  fixture = buildUiFixtureHome(join(dir.path, "home"), { millionPoints: 5000 });
  ({ server, browser } = await serveAndLaunch(join(fixture.home, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  dir[Symbol.dispose]();
});

async function open(query: string, width = 1400): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(new URL(`/?${query}`, server.url).href);
  await page.waitForSelector("table.runs-table tbody tr[data-run]");
  expect(errors).toEqual([]);
  return page;
}

const visibleCharts = (page: Page, section: string) =>
  page.locator(`details[data-section="${section}"] figure.chart:visible`).count();

describe("the UI as a new user meets it", () => {
  it("brings an opened run's details into view, under the table and above its charts, its row marked", async () => {
    const page = await open("project=sweep%2Flr");
    const run = fixture.sweep[5] as string;
    await page.locator(`tr[data-run="${run}"] button.link`).click();
    const details = page.locator("section.details h2, section.details h3").first();
    await waitFor(
      async () => ((await details.textContent()) ?? "").includes(run.split(":")[1] as string),
      "the run's details",
    );
    await page.waitForSelector("figure.chart");
    await waitFor(async () => {
      const box = await page.locator("section.details").boundingBox();
      return box !== null && box.y >= -1 && box.y < 900;
    }, "the details in view");
    const order = await page.evaluate(`(() => {
      const details = document.querySelector("section.details");
      const charts = document.querySelector(".compare");
      return details.compareDocumentPosition(charts) & Node.DOCUMENT_POSITION_FOLLOWING;
    })()`);
    expect(order).toBeTruthy();
    // The table marks the opened run's row.
    expect(await page.locator(`tr[data-run="${run}"]`).getAttribute("aria-current")).toBe("true");
    expect(await page.locator('tr[aria-current="true"]').count()).toBe(1);
    await page.close();
  }, 60_000);

  it("shows six charts of a long section and the rest on request; a filter shows every match", async () => {
    const page = await open(`runs=${encodeURIComponent(fixture.wide)}`);
    await page.waitForSelector('details[data-section="train"] figure.chart');
    const total = await page.locator('details[data-section="train"] figure.chart').count();
    expect(total).toBeGreaterThan(6);
    expect(await visibleCharts(page, "train")).toBe(6);
    const more = page.locator('button.section-more[data-section="train"]');
    expect(await more.textContent()).toBe(`Show all ${total} charts`);
    await more.click();
    await waitFor(async () => (await visibleCharts(page, "train")) === total, "every chart");
    await waitFor(
      async () =>
        (await page.locator('details[data-section="train"] figure.chart[data-series]').count()) > 6,
      "the charts shown on request drawn as they scroll into view",
    );
    await more.click();
    await waitFor(async () => (await visibleCharts(page, "train")) === 6, "six again");
    // A filter is a search: it shows every chart that matches, past the six.
    await page.locator("input.chart-filter").fill("metric");
    await waitFor(async () => (await visibleCharts(page, "train")) === total, "every match");
    expect(await more.isVisible()).toBe(false);
    const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
    expect(height).toBeGreaterThan(5000);
    await page.locator("input.chart-filter").fill("");
    await waitFor(
      async () => Number(await page.evaluate("document.documentElement.scrollHeight")) < 5000,
      "a page of a few screens",
    );
    await page.close();
  }, 60_000);

  it("shows the compared runs on the scatter in their chart colours, the others stepping back", async () => {
    const keys = [fixture.sweep[2], fixture.sweep[9]] as string[];
    const page = await open(
      `project=sweep%2Flr&sweep=1&metric=min:val/loss&runs=${keys.map(encodeURIComponent).join(",")}`,
    );
    await page.waitForSelector("figure.scatter circle.dot.compared");
    await page.waitForSelector(".chart-board .legend li");
    const legend = await page
      .locator(".chart-board .legend li .swatch")
      .evaluateAll((all) => all.map((swatch) => swatch.getAttribute("style") ?? ""));
    for (const key of keys) {
      const style = await page
        .locator(`figure.scatter circle.dot.compared[data-run="${key}"]`)
        .getAttribute("style");
      const color = /#[0-9a-f]{6}/i.exec(style ?? "")?.[0] as string;
      expect(legend.some((item) => item.includes(color))).toBe(true);
    }
    expect(await page.locator("figure.scatter circle.dot.compared").count()).toBe(2);
    expect(await page.locator("figure.scatter.has-compared").count()).toBe(1);
    // The parallel coordinates say what their line colours mean.
    expect(await page.locator(".sweep .ramp-key").textContent()).toBe(
      "Line colour: val/loss (min) low  high",
    );
    await page.close();
  }, 60_000);

  it("reads a chart's values from the keyboard: Shift+arrows move the cursor, the hover list follows", async () => {
    const page = await open(`runs=${fixture.sweep.slice(0, 3).map(encodeURIComponent).join(",")}`);
    const chart = page.locator('figure.chart[data-path="train/loss"]');
    await chart.scrollIntoViewIfNeeded();
    await waitFor(async () => (await chart.getAttribute("data-series")) === "3", "the chart");
    await chart.focus();
    const tip = chart.locator(".chart-tip");
    await page.keyboard.press("Shift+ArrowRight");
    await waitFor(async () => (await tip.locator("li").count()) === 3, "three values");
    const first = await tip.locator("p").textContent();
    await page.keyboard.press("Shift+ArrowRight");
    await waitFor(async () => (await tip.locator("p").textContent()) !== first, "the next step");
    // "step 180": the cursor moved right.
    const step = (text: string | null) => Number(/[\d.]+/.exec(text ?? "")?.[0]);
    expect(step(await tip.locator("p").textContent())).toBeGreaterThan(step(first));
    await page.keyboard.press("Tab");
    await waitFor(async () => !(await tip.isVisible()), "the list gone with the focus");
    await page.close();
  }, 60_000);

  it("scrolls the config diff of 16 runs inside a 390 px phone instead of widening the page", async () => {
    const page = await open(`runs=${fixture.sweep.map(encodeURIComponent).join(",")}`, 390);
    await page.waitForSelector("table.diff");
    const diff = await page.locator("table.diff").boundingBox();
    expect(diff?.width ?? 0).toBeGreaterThan(390);
    expect(Number(await page.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(
      390,
    );
    await page.locator("table.diff").scrollIntoViewIfNeeded();
    await screenshot(page, "phone-config-diff");
    await page.close();
  }, 60_000);
});
