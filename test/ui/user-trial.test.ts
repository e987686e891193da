/**
 * What a user trial of the web UI found (issue 12's remaining defects): a hover list
 * that said "@ step N" for runs long ended and "step 1234.5" for a bucket, a hover list
 * over a phone's chart tools, a scatter that took 16 Tab presses to cross, and run
 * colours that changed a second after a link opened.
 */

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { buildUiFixtureHome, type UiFixture } from "../../scripts/ui-fixture-home.ts";
import type { Listening } from "../../src/server/listen.ts";
import { assignColors, type ColoredRun } from "../../src/ui/run-colors.ts";
import { SCREENSHOTS } from "../helpers/browser.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-ui-trial-");
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

async function open(query: string, width = 1400, init?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  if (init) await page.addInitScript(init);
  await page.goto(new URL(`/?${query}`, server.url).href);
  await page.waitForSelector("table.runs-table tbody tr[data-run]");
  expect(errors).toEqual([]);
  return page;
}

const runsParam = (keys: readonly string[]) => `runs=${keys.map(encodeURIComponent).join(",")}`;

async function drawnChart(page: Page, path: string, lines: number): Promise<Locator> {
  const chart = page.locator(`figure.chart[data-path="${path}"]`);
  await chart.scrollIntoViewIfNeeded();
  await waitFor(async () => (await chart.getAttribute("data-series")) === String(lines), path);
  return chart;
}

/** Hovers the plot at `fraction` of its width until the list holds `rows` lines. */
async function hover(page: Page, chart: Locator, fraction: number, rows: number): Promise<Locator> {
  const box = await chart.locator(".u-over").boundingBox();
  if (!box) throw new Error("no plot area");
  const tip = chart.locator(".chart-tip");
  // The chart may be drawn again under a still mouse: keep moving, as a hand does.
  let nudge = 0;
  await waitFor(async () => {
    await page.mouse.move(box.x + box.width * (fraction + (nudge++ % 3) / 200), box.y + 40);
    return (await tip.isVisible()) && (await tip.locator("li").count()) === rows;
  }, "the hover list");
  return tip;
}

describe("the hover list after a user trial", () => {
  it("marks runs that ended before the cursor with their last step, and heads with a whole step", async () => {
    // Runs of 2,000, ~9,500 and ~18,000 steps, downsampled: hovered at ~12,600.
    const keys = [fixture.sweep[0], fixture.sweep[7], fixture.sweep[15]] as string[];
    const page = await open(runsParam(keys));
    const chart = await drawnChart(page, "train/loss", 3);
    const tip = await hover(page, chart, 0.7, 3);
    const heading = (await tip.locator("p").textContent()) ?? "";
    // A bucket's mean step (12559.5) is not a step anyone logged.
    expect(heading).toMatch(/^step \d+$/);
    const rows = await tip.locator("li").evaluateAll((items) =>
      items.map((item) => ({
        outside: item.classList.contains("tip-outside"),
        note: item.querySelector(".tip-at")?.textContent ?? "",
      })),
    );
    // The running one first, at the cursor; then the two ended runs, set back, each
    // with its own last step once, no "@ step" noise.
    expect(rows.map((row) => row.outside)).toEqual([false, true, true]);
    expect(rows[0]?.note).toBe("");
    expect(
      rows
        .slice(1)
        .map((row) => row.note)
        .sort(),
    ).toEqual(["ended at 1999", "ended at 9483"]);
    expect(await tip.textContent()).not.toContain("@");
    await chart.screenshot({ path: join(SCREENSHOTS, "trial-hover-ended.png") });
    // On a time axis the heading is a time, never a fraction of a second.
    await chart.locator("select.chart-x").selectOption("relative");
    await waitFor(async () => (await chart.getAttribute("data-series")) === "3", "redrawn");
    const timed = await hover(page, chart, 0.7, 3);
    expect((await timed.locator("p").textContent()) ?? "").toMatch(/^(\d+:)?\d+:\d\d$/);
    expect(await timed.locator("li.tip-outside").count()).toBe(2);
    // On the wall clock the runs are hours apart: between them (70% of the axis: after
    // the second run, before the third) the list is for the cursor's time, not for the
    // nearest run's last point: one run ended, one ended, one starts later.
    await chart.locator("select.chart-x").selectOption("wall");
    await waitFor(async () => (await chart.getAttribute("data-series")) === "3", "redrawn");
    const gap = await hover(page, chart, 0.7, 3);
    const notes = await gap.locator(".tip-at").allTextContents();
    expect(notes.filter((note) => note.startsWith("ended at"))).toHaveLength(2);
    expect(notes.filter((note) => note.startsWith("starts at"))).toHaveLength(1);
    await chart.screenshot({ path: join(SCREENSHOTS, "trial-hover-between-runs.png") });
    await page.close();
  }, 60_000);

  it("stays under a phone chart's tools, inside the chart", async () => {
    const keys = fixture.sweep.slice(0, 3);
    const page = await open(runsParam(keys), 390);
    const chart = await drawnChart(page, "train/loss", 3);
    const tip = await hover(page, chart, 0.3, 3);
    const tools = await chart.locator(".chart-tools").boundingBox();
    const over = await chart.locator(".u-over").boundingBox();
    const box = await tip.boundingBox();
    if (!tools || !over || !box) throw new Error("no boxes");
    // The tools wrap under the title on a phone: the list starts below them.
    expect(box.y).toBeGreaterThanOrEqual(tools.y + tools.height);
    expect(box.y).toBeGreaterThanOrEqual(over.y);
    const figure = await chart.boundingBox();
    expect(box.y + box.height).toBeLessThanOrEqual((figure?.y ?? 0) + (figure?.height ?? 0) + 1);
    expect(box.x).toBeGreaterThanOrEqual(figure?.x ?? 0);
    expect(box.x + box.width).toBeLessThanOrEqual((figure?.x ?? 0) + (figure?.width ?? 0) + 1);
    await chart.screenshot({ path: join(SCREENSHOTS, "trial-phone-hover.png") });
    await page.close();
  }, 60_000);
});

describe("the sweep scatter from the keyboard", () => {
  it("is one Tab stop whose arrow keys move between dots, each named and opened with Enter or Space", async () => {
    const page = await open("project=sweep%2Flr&sweep=1&metric=min:val/loss");
    await page.waitForSelector("figure.scatter circle.dot");
    const dots = page.locator("figure.scatter circle.dot");
    expect(await dots.count()).toBeGreaterThanOrEqual(16);
    type Dot = { run: string; x: number; y: number; label: string };
    const active = async () =>
      (await page.evaluate(`(() => {
        const element = document.activeElement;
        return element && element.matches("figure.scatter circle.dot")
          ? {
              run: element.getAttribute("data-run") || "",
              x: Number(element.getAttribute("cx")),
              y: Number(element.getAttribute("cy")),
              label: element.getAttribute("aria-label") || "",
            }
          : undefined;
      })()`)) as Dot | undefined;
    // Tab from the scatter's last control enters the dots once, the next Tab leaves them.
    await page.locator("figure.scatter input[type=checkbox]").last().focus();
    await page.keyboard.press("Tab");
    const first = await active();
    expect(first).toBeDefined();
    expect(await page.locator('figure.scatter circle.dot[tabindex="0"]').count()).toBe(1);
    // The leftmost dot holds the stop at first, and says which run it is.
    const xs = await dots.evaluateAll((all) => all.map((dot) => Number(dot.getAttribute("cx"))));
    expect(first?.x).toBe(Math.min(...xs));
    expect(first?.label).toMatch(/^lr .+: parameters\/\w+ = .+, val\/loss \(min\) = \d\.\d{1,6}$/);
    await page.keyboard.press("Tab");
    expect(await active()).toBeUndefined();
    // Back in, then right: the next dot to the right.
    await page.keyboard.press("Shift+Tab");
    expect((await active())?.run).toBe(first?.run as string);
    await page.keyboard.press("ArrowRight");
    const second = await active();
    expect(second?.run).not.toBe(first?.run as string);
    expect(second?.x).toBeGreaterThanOrEqual(first?.x as number);
    await page.keyboard.press("ArrowUp");
    const third = await active();
    expect(third?.y).toBeLessThanOrEqual(second?.y as number);
    await page.keyboard.press("End");
    expect((await active())?.x).toBe(Math.max(...xs));
    expect(await page.locator('figure.scatter circle.dot[tabindex="0"]').count()).toBe(1);
    // Space opens the focused run's details, as Enter does.
    const run = (await active())?.run as string;
    await page.keyboard.press(" ");
    await waitFor(
      async () =>
        (await page.locator(`tr[data-run="${run}"]`).getAttribute("aria-current")) === "true",
      "the run opened",
    );
    await page.close();
  }, 60_000);
});

describe("run colours of a link", () => {
  it("paints a link to runs of newer projects in their final colours from the first frame", async () => {
    // Neither project holds the oldest runs: their colours follow from every run listed.
    const keys = [fixture.seeds[2], fixture.million] as string[];
    const all = (
      (await (await fetch(new URL("/api/runs", server.url))).json()) as {
        runs: ColoredRun[];
      }
    ).runs;
    const final = assignColors(all);
    // Every frame, from the page's start: the colours of the chart's lines and the legend.
    const page = await open(
      runsParam(keys),
      1400,
      `window.__painted = { lines: [], legend: [] };
      const note = (list, colors) => {
        const text = colors.join(" ");
        if (colors.length > 0 && list[list.length - 1] !== text) list.push(text);
      };
      const look = () => {
        const chart = document.querySelector('figure.chart[data-path="train/loss"]');
        note(window.__painted.lines, ((chart && chart.plotLines) || []).map((line) => line.color));
        const swatches = document.querySelectorAll(".chart-board .legend .swatch");
        note(window.__painted.legend, [...swatches].map((swatch) => swatch.style.background));
        requestAnimationFrame(look);
      };
      requestAnimationFrame(look);`,
    );
    await drawnChart(page, "train/loss", 2);
    await waitFor(
      async () => /^\d+ runs/.test((await page.locator("#status").textContent()) ?? ""),
      "the whole list",
    );
    // Two more frames: a colour change after the list would be painted by then.
    await page.evaluate(
      "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))",
    );
    const painted = (await page.evaluate("window.__painted")) as {
      lines: string[];
      legend: string[];
    };
    const rgb = (hex: string) =>
      `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
    const colors = keys.map((key) => final.get(key) as string);
    // One set of colours in every frame, the final one: no provisional colours first.
    expect(painted.lines).toHaveLength(1);
    expect(painted.lines[0]?.split(" ").sort()).toEqual(colors.toSorted());
    expect(painted.legend).toHaveLength(1);
    expect(painted.legend[0]?.split(/ (?=rgb)/).sort()).toEqual(colors.map(rgb).sort());
    await page.close();
  }, 60_000);
});

describe("a phone, as a new user tried it", () => {
  it("keeps run ids on one line and the parallel coordinates readable, scrolling inside their box", async () => {
    const page = await open("project=sweep%2Flr&sweep=1&metric=min:val/loss", 390);
    await page.waitForSelector("figure.parallel svg");
    // "sweep-15" broke after its hyphen: one line, as tall as a name's first line.
    const heights = await page
      .locator("tr[data-run] button.link")
      .evaluateAll((links) => links.map((link) => link.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThanOrEqual(10);
    for (const height of heights) expect(height).toBeLessThan(26);
    // The parallel coordinates keep labels of 8+ px and scroll sideways in their box,
    // while the page keeps the phone's width.
    const svg = await page.locator("figure.parallel svg").boundingBox();
    expect(svg?.width ?? 0).toBeGreaterThanOrEqual(700);
    expect(
      await page
        .locator("figure.parallel")
        .evaluate((figure) => figure.scrollWidth > figure.clientWidth),
    ).toBe(true);
    expect(Number(await page.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(
      390,
    );
    await page.locator(".sweep").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, "trial-phone-sweep.png") });
    await page.close();
  }, 60_000);
});
