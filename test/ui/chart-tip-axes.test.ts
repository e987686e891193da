import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { buildUiFixtureHome, type UiFixture } from "../../scripts/ui-fixture-home.ts";
import type { Listening } from "../../src/server/listen.ts";
import { SCREENSHOTS } from "../helpers/browser.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-tip-axes-");
let browser: Browser;
let server: Listening;
let fixture: UiFixture;

beforeAll(async () => {
  fixture = buildUiFixtureHome(join(dir.path, "home"));
  ({ server, browser } = await serveAndLaunch(join(fixture.home, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  dir[Symbol.dispose]();
});

/**
 * Keeps, on each canvas, the text its last frame drew (uPlot draws tick labels on the
 * canvas and clears the whole of it before each frame): what the user reads on the axes.
 */
const RECORD_CANVAS_TEXT = `(() => {
  const proto = CanvasRenderingContext2D.prototype;
  const clear = proto.clearRect;
  const fill = proto.fillText;
  proto.clearRect = function (x, y, w, h) {
    if (x === 0 && y === 0 && w >= this.canvas.width && h >= this.canvas.height)
      this.canvas.drawnText = [];
    return clear.call(this, x, y, w, h);
  };
  proto.fillText = function (text, x, y, ...rest) {
    (this.canvas.drawnText ??= []).push({ text: String(text), x, y });
    return fill.call(this, text, x, y, ...rest);
  };
})();`;

const runsParam = (keys: readonly string[]) => `runs=${keys.map(encodeURIComponent).join(",")}`;

async function open(query: string, width = 1400): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.addInitScript(RECORD_CANVAS_TEXT);
  await page.goto(new URL(`/?${query}`, server.url).href);
  await page.waitForSelector("figure.chart", { state: "attached" });
  expect(errors).toEqual([]);
  return page;
}

async function drawnChart(page: Page, key: string, series: number): Promise<Locator> {
  const chart = page.locator(`figure.chart[data-path="${key}"]`);
  await chart.scrollIntoViewIfNeeded();
  await waitFor(
    async () => (await chart.getAttribute("data-series")) === String(series),
    `the chart ${key}`,
  );
  await chart.scrollIntoViewIfNeeded();
  return chart;
}

/** The x column the chart last handed to uPlot. */
async function drawnXs(chart: Locator): Promise<number[]> {
  return chart.evaluate(
    (element) => (element as unknown as { plotData?: number[][] }).plotData?.[0] ?? [],
  );
}

/** The x axis's tick labels as drawn on the chart's canvas, left to right. */
async function xTicks(chart: Locator): Promise<string[]> {
  const texts = await chart
    .locator("canvas")
    .evaluate(
      (canvas) =>
        (canvas as unknown as { drawnText?: { text: string; x: number; y: number }[] }).drawnText ??
        [],
    );
  // The axis's title is drawn lowest of all; the tick labels share the row above it.
  const titles = new Set(["step", "time since run start"]);
  const labels = texts.filter((item) => !titles.has(item.text) && item.text !== "");
  const lowest = Math.max(...labels.map((item) => item.y));
  return labels
    .filter((item) => item.y === lowest)
    .sort((a, b) => a.x - b.x)
    .map((item) => item.text);
}

/** The hover list's heading, values and names, read as the user sees them. */
async function tipText(chart: Locator) {
  const tip = chart.locator(".chart-tip");
  return {
    heading: ((await tip.locator("p").textContent()) ?? "").trim(),
    values: await tip.locator("li:not(.tip-more) .tip-value").allTextContents(),
    notes: await tip.locator(".tip-at").allTextContents(),
    rows: await tip.locator("li:not(.tip-more)").count(),
    more: await tip.locator(".tip-more").count(),
  };
}

/** Moves the mouse over the chart until its hover list is for `step`. */
async function hoverStep(page: Page, chart: Locator, step: number): Promise<void> {
  const box = await chart.locator(".u-over").boundingBox();
  if (!box) throw new Error("no plot area");
  const xs = await drawnXs(chart);
  const first = xs[0] as number;
  const last = xs[xs.length - 1] as number;
  let x = box.x + ((step - first) / (last - first)) * box.width;
  await waitFor(async () => {
    await page.mouse.move(x, box.y + box.height / 2);
    const shown = Number(/^step (\d+)/.exec((await tipText(chart)).heading)?.[1]);
    if (shown === step) return true;
    if (Number.isFinite(shown)) x += ((step - shown) / (last - first)) * box.width;
    return false;
  }, `the hover list at step ${step}`);
}

/** Asserts that the hover list lies inside the window and the chart's width. */
async function expectTipInside(page: Page, chart: Locator): Promise<void> {
  const tip = await chart.locator(".chart-tip").boundingBox();
  const figure = await chart.boundingBox();
  if (!tip || !figure) throw new Error("no hover list");
  const viewport = page.viewportSize() ?? { width: 0, height: 0 };
  expect(tip.x).toBeGreaterThanOrEqual(Math.max(0, figure.x - 1));
  expect(tip.x + tip.width).toBeLessThanOrEqual(
    Math.min(figure.x + figure.width, viewport.width) + 1,
  );
  expect(tip.y).toBeGreaterThanOrEqual(-1);
  expect(tip.y + tip.height).toBeLessThanOrEqual(viewport.height + 1);
}

/** The zoomed range in the page's URL, as [mode, from, to]. */
function urlZoom(page: Page): [string, number, number] {
  const [mode, from, to] = (new URL(page.url()).searchParams.get("zoom") ?? "").split("~");
  return [mode ?? "", Number(from), Number(to)];
}

describe("the hover list", () => {
  it("says NaN, +Inf or -Inf where the run logged them", async () => {
    const page = await open(`project=wide%2Fmetrics&cf=metric_00&${runsParam([fixture.wide])}`);
    const chart = await drawnChart(page, "train/metric_00", 1);
    for (const [step, shown] of [
      [50, "NaN"],
      [120, "+Inf"],
      [160, "-Inf"],
    ] as const) {
      await hoverStep(page, chart, step);
      expect((await tipText(chart)).values).toEqual([shown]);
    }
    // A finite point beside them still reads as a number.
    await hoverStep(page, chart, 51);
    expect(Number((await tipText(chart)).values[0])).not.toBeNaN();
    await page.close();
  }, 60_000);

  it("lists every one of 16 runs inside the chart, highest first", async () => {
    const page = await open(`project=sweep%2Flr&${runsParam(fixture.sweep)}`);
    const chart = await drawnChart(page, "train/loss", 16);
    const box = await chart.locator(".u-over").boundingBox();
    const figure = await chart.boundingBox();
    if (!box || !figure) throw new Error("no plot area");
    for (const at of [0.3, 0.7]) {
      await waitFor(async () => {
        await page.mouse.move(box.x + box.width * at, box.y + 40);
        return (await chart.locator(".chart-tip").getAttribute("data-total")) === "16";
      }, "16 runs in the hover list");
      const tip = await tipText(chart);
      expect(tip.rows).toBe(16);
      expect(tip.more).toBe(0);
      const values = tip.values.map(Number);
      expect(values.filter((value) => Number.isNaN(value))).toEqual([]);
      // Runs with a point there first, then those that ended before it: each highest first.
      const outside = await chart
        .locator(".chart-tip li")
        .evaluateAll((items) => items.map((item) => item.classList.contains("tip-outside")));
      expect(outside).toEqual(outside.toSorted((x, y) => Number(x) - Number(y)));
      for (const part of [false, true]) {
        const some = values.filter((_, i) => outside[i] === part);
        expect(some).toEqual(some.toSorted((x, y) => y - x));
      }
      await expectTipInside(page, chart);
      const inside = await chart.locator(".chart-tip").boundingBox();
      expect((inside?.y ?? 0) + (inside?.height ?? 0)).toBeLessThanOrEqual(
        figure.y + figure.height + 1,
      );
    }
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-tip-16-runs.png") });
    await page.close();
  }, 60_000);

  it("lists all 30 runs in two columns on a 390 px phone, readable and on screen", async () => {
    const page = await open(runsParam([...fixture.sweep, ...fixture.seeds]), 390);
    const chart = await drawnChart(page, "train/loss", 30);
    const box = await chart.locator(".u-over").boundingBox();
    if (!box) throw new Error("no plot area");
    let nudge = 0;
    await waitFor(async () => {
      await page.mouse.move(box.x + box.width * (0.7 + (nudge++ % 5) / 100), box.y + 40);
      return (await chart.locator(".chart-tip").getAttribute("data-total")) === "30";
    }, "30 runs in the hover list");
    const tip = await tipText(chart);
    expect(tip.rows).toBe(30);
    expect(tip.more).toBe(0);
    expect(await chart.locator(".chart-tip").getAttribute("data-columns")).toBe("2");
    await expectTipInside(page, chart);
    // With room under the chart, the list hangs there: the lines stay in sight.
    const listBox = await chart.locator(".chart-tip").boundingBox();
    const figureBox = await chart.boundingBox();
    if (!listBox || !figureBox) throw new Error("no hover list");
    expect(listBox.y).toBeGreaterThanOrEqual(box.y + box.height);
    expect(Number(await page.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(
      390,
    );
    // Most names are shown whole (the few cut short end in an ellipsis, not in mid-air).
    const whole = await chart
      .locator(".chart-tip .tip-label")
      .evaluateAll((labels) => labels.filter((label) => label.scrollWidth <= label.clientWidth));
    expect(whole.length).toBeGreaterThanOrEqual(20);
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-tip-30-runs-phone.png") });
    await page.close();
  }, 60_000);

  it("heads a grouped chart's list with a whole step, never a bucket's 899.5", async () => {
    const page = await open(`project=sweep%2Flr&group=optimizer&${runsParam(fixture.sweep)}`);
    const chart = await drawnChart(page, "train/loss", 2);
    const box = await chart.locator(".u-over").boundingBox();
    if (!box) throw new Error("no plot area");
    for (const at of [0.03, 0.05, 0.11, 0.3, 0.52, 0.71, 0.9]) {
      await page.mouse.move(box.x + box.width * at, box.y + 40);
      await waitFor(
        async () => (await tipText(chart)).heading.startsWith("step "),
        "the hover list",
      );
      const { heading, notes } = await tipText(chart);
      expect(heading).toMatch(/^step \d+$/);
      for (const note of notes) expect(note).not.toMatch(/\d\.\d/);
    }
    await page.close();
  }, 60_000);
});

describe("axis labels deep in a zoom", () => {
  it("keeps the relative-time axis's labels distinct, in fractions of a second", async () => {
    const page = await open(`project=big%2Flong&x=relative&${runsParam([fixture.million])}`);
    const chart = await drawnChart(page, "train/loss", 1);
    await chart.focus();
    for (let i = 0; i < 16; i++) {
      const before = page.url();
      await chart.press("+");
      await waitFor(async () => page.url() !== before, "the zoom in the URL");
    }
    const [mode, from, to] = urlZoom(page);
    expect(mode).toBe("relative");
    expect(to - from).toBeLessThan(1);
    let ticks: string[] = [];
    await waitFor(async () => {
      ticks = await xTicks(chart);
      return ticks.length >= 2 && ticks.every((tick) => tick.includes("."));
    }, "ticks in fractions of a second");
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const tick of ticks) expect(tick).toMatch(/^1:23:\d\d\.\d+$/);
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-relative-deep-zoom.png") });
    await page.close();
  }, 90_000);

  it("stops the step axis a few whole steps wide, from the keyboard and by dragging", async () => {
    const page = await open(runsParam([fixture.million]));
    const chart = await drawnChart(page, "train/loss", 1);
    await chart.focus();
    // Twenty halvings of a million steps would be under one step.
    for (let i = 0; i < 20; i++) {
      const before = page.url();
      await chart.press("+");
      await waitFor(async () => {
        const [, from, to] = urlZoom(page);
        return page.url() !== before || to - from <= 4.001;
      }, "the zoom in the URL");
    }
    const wholeTicks = async () => {
      let ticks: string[] = [];
      await waitFor(async () => {
        ticks = await xTicks(chart);
        return (
          (await chart.getAttribute("data-downsampled")) === "false" &&
          ticks.length >= 2 &&
          ticks.every((tick) => /^\d+$/.test(tick))
        );
      }, "whole-step ticks");
      expect(new Set(ticks).size).toBe(ticks.length);
      const numbers = ticks.map(Number);
      // The line has points in the window, each at a whole step.
      const xs = (await drawnXs(chart)).filter(
        (x) => x >= (numbers[0] as number) - 1 && x <= (numbers[numbers.length - 1] as number) + 1,
      );
      expect(xs.length).toBeGreaterThanOrEqual(2);
      for (const x of xs) expect(Number.isInteger(x)).toBe(true);
    };
    expect(urlZoom(page)[2] - urlZoom(page)[1]).toBeGreaterThanOrEqual(4 - 1e-6);
    await wholeTicks();
    // A drag of a few pixels over a 16-step window zooms to no fewer than 4 steps.
    await page.goto(
      new URL(`/?${runsParam([fixture.million])}&zoom=step~499330~499346`, server.url).href,
    );
    const zoomed = await drawnChart(page, "train/loss", 1);
    await waitFor(async () => (await zoomed.getAttribute("data-zoomed")) === "true", "the zoom");
    const box = await zoomed.locator(".u-over").boundingBox();
    if (!box) throw new Error("no plot area");
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5 + 8, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await waitFor(async () => urlZoom(page)[1] !== 499330, "the dragged zoom in the URL");
    const [, from, to] = urlZoom(page);
    expect(to - from).toBeGreaterThanOrEqual(4 - 1e-6);
    expect(to - from).toBeLessThan(5);
    await wholeTicks();
    await page.close();
  }, 90_000);
});
