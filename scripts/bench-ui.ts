/**
 * Speed of the web UI in headless Chromium, against `goodseed serve` on a home with
 * 5,000 runs and one run with a 1,000,000-point metric series, and on the UI fixture
 * home (scripts/ui-fixture-home.ts) for comparisons.
 *
 *   bun scripts/bench-ui.ts [--runs 5000] [--points 1000000] [--repeats 5] [--keep <dir>]
 *                           [--charts-only] [--sweep 500]
 *
 * Two figures, each timed in the page from navigation start (performance.now()) to
 * the frame after the view is in the DOM (two requestAnimationFrame turns, so layout
 * and paint are counted):
 *   - the first rendered runs table (`/`, all 5,000+ runs listed and sorted);
 *   - the chart of the 1,000,000-point series (`/?runs=bench/big:huge`), downsampled
 *     by the server to what the chart's width can show, with its min/max envelope.
 * Each is measured once on a server that has not answered that request yet ("first")
 * and then `repeats` times in fresh browser contexts (no HTTP cache): the median.
 * Each page is navigated once the machine is quiet after its context opened (see
 * `settle`). Then, on the UI fixture home:
 *   - 30 runs (16 sweep runs of 2,000–18,000 steps and 14 of 3,000) compared on the
 *     first 10 charts, all on screen, from navigation start to the frame after the
 *     tenth chart is drawn with its points;
 *   - smoothing the 1,000,000-point chart: each slider step from the input event to
 *     the end of the task that redraws it (so including the wait for the next frame).
 *
 * And the sweep views over `--sweep` runs (500) of one project with six varying configs:
 * once every run's configs and metric summary are in, the time from a change of the
 * view (the metric summary chosen) to the frame after the parallel coordinates and the
 * table are drawn again (goal: under 300 ms), and the part of it spent building the
 * parallel coordinates.
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { launch } from "../test/helpers/browser.ts";
import { buildHome, median, startServer } from "./bench-home.ts";
import { buildSweepProject, SWEEP_PROJECT } from "./bench-sweep-home.ts";
import { quietMachine } from "./quiet-machine.ts";
import { buildUiFixtureHome } from "./ui-fixture-home.ts";

/** Views navigated before the machine went quiet: said beside the figures. */
let restless = 0;

/**
 * Before a page is navigated: waits for the processors to go quiet, since a new
 * browser context opens a window whose own UI pages (Chromium's omnibox popup, in a
 * renderer of its own) take about a second of CPU as it opens. A view timed meanwhile
 * measured Chromium's window more than the page: the 30-run board took 2.6-3.4 s with
 * it and 1.3-1.7 s without, on this 2-core machine.
 */
async function settle(): Promise<void> {
  if (!(await quietMachine()).quiet) restless++;
}

function reportRestless(): void {
  if (restless > 0)
    console.log(`(${restless} views were navigated before the machine went quiet, after 10 s)`);
}

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5000" },
    points: { type: "string", default: "1000000" },
    repeats: { type: "string", default: "5" },
    sweep: { type: "string", default: "500" },
    keep: { type: "string" },
    "charts-only": { type: "boolean", default: false },
  },
});
const RUNS = Number(values.runs);
const POINTS = Number(values.points);
const REPEATS = Number(values.repeats);
const SWEEP = Number(values.sweep);

/**
 * Opens the sweep views of the sweep project, waits until every run is drawn, then
 * switches the metric summary `repeats` times: each time from the change to the frame
 * after the redraw.
 */
async function timeSweep(
  browser: Browser,
  base: string,
): Promise<{ redraw: number[]; build: number[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    await page.goto(
      `${base}/?project=${encodeURIComponent(SWEEP_PROJECT)}&sweep=1&metric=${encodeURIComponent("min:val/loss")}`,
    );
    await page.waitForSelector(`figure.parallel[data-lines="${SWEEP}"][data-axes="7"]`, {
      timeout: 120_000,
    });
    const redraw: number[] = [];
    const build: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const summary = i % 2 === 0 ? "max" : "min";
      // Every summary is fetched once first, so that what is timed is the drawing.
      await page.selectOption('select[aria-label="Summary of the metric"]', summary);
      await page.waitForSelector(`figure.parallel[data-lines="${SWEEP}"]`);
      await page.waitForFunction(
        `document.querySelector('g.axis[data-axis="${summary}:val/loss"]')`,
      );
      const other = summary === "max" ? "min" : "max";
      const timed = (await page.evaluate(`new Promise((resolve) => {
        const select = document.querySelector('select[aria-label="Summary of the metric"]');
        const started = performance.now();
        select.value = "${other}";
        select.dispatchEvent(new Event("change"));
        requestAnimationFrame(() => requestAnimationFrame(() => resolve({
          ms: performance.now() - started,
          build: Number(document.querySelector(".sweep").dataset.drawMs),
          lines: Number(document.querySelector("figure.parallel").dataset.lines),
        })));
      })`)) as { ms: number; build: number; lines: number };
      if (timed.lines !== SWEEP) throw new Error(`drew ${timed.lines} lines, not ${SWEEP}`);
      redraw.push(timed.ms);
      build.push(timed.build);
    }
    return { redraw, build };
  } finally {
    await context.close();
  }
}

/**
 * Runs in the page before its own scripts: notes when the first table row and the
 * first drawn chart appear, then waits two frames so the time includes their paint,
 * and says so on the console (see {@link whenMarked}).
 */
const PROBE = `
  window.__goodseedBench = {};
  const marks = window.__goodseedBench;
  const painted = (key) =>
    requestAnimationFrame(() => requestAnimationFrame(() => {
      marks[key] = performance.now();
      console.debug("goodseed-bench " + key);
    }));
  new MutationObserver(() => {
    if (!("tableSeen" in marks) && document.querySelector("table.runs-table tbody tr")) {
      marks.tableSeen = true;
      painted("table");
    }
    const chart =
      !("chartSeen" in marks) &&
      document.querySelector('figure.chart[data-points]:not([data-points="0"]) canvas');
    if (chart) {
      marks.chartSeen = true;
      marks.chartPoints = Number(chart.closest("figure").dataset.points);
      painted("chart");
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
`;

/**
 * Resolves when the page's probe says on the console that `mark` is in. Not
 * `waitForFunction`, which puts Playwright's own script into the page as it loads
 * (some 50 ms of a first view's main thread, a cold page's) and then polls it on
 * every frame of the view being timed.
 */
function whenMarked(page: Page, mark: string): Promise<unknown> {
  return page.waitForEvent("console", {
    predicate: (message) => message.text() === `goodseed-bench ${mark}`,
    timeout: 60_000,
  });
}

interface Marks {
  table?: number;
  chart?: number;
  chartPoints?: number;
}

async function timeView(browser: Browser, url: string, mark: "table" | "chart"): Promise<Marks> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.addInitScript(PROBE);
    await settle();
    const marked = whenMarked(page, mark);
    await page.goto(url);
    await marked;
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
    return (await page.evaluate("window.__goodseedBench")) as Marks;
  } finally {
    await context.close();
  }
}

function report(label: string, first: number, repeated: number[], extra = ""): void {
  const verdict = Math.max(first, median(repeated)) < 1000 ? "under 1 s" : "OVER 1 s";
  console.log(
    `${label.padEnd(46)} first ${first.toFixed(0).padStart(5)} ms   repeated median ${median(repeated).toFixed(0).padStart(5)} ms   (${verdict})${extra}`,
  );
}

/**
 * Runs in the page before its scripts: notes when `count` charts have drawn their
 * points. A chart draws an empty plot (`data-points="0"`) as soon as it is laid out,
 * before its series arrive: those do not count. It looks only when a chart's
 * `data-points` changes (a chart sets it once its canvas is in): looking on every
 * change of the page took some 50 ms of a first view's main thread.
 */
const CHARTS_PROBE = (count: number) => `
  window.__goodseedBench = {};
  const marks = window.__goodseedBench;
  new MutationObserver(() => {
    if ("chartsSeen" in marks) return;
    if (document.querySelectorAll('figure.chart[data-series]:not([data-points="0"]) canvas').length >= ${count}) {
      marks.chartsSeen = true;
      requestAnimationFrame(() => requestAnimationFrame(() => {
        marks.charts = performance.now();
        console.debug("goodseed-bench charts");
      }));
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-points"] });
`;

async function timeCharts(browser: Browser, url: string, count: number): Promise<number> {
  // Tall enough that the first ten charts are all on screen (charts draw as they scroll in).
  const context = await browser.newContext({ viewport: { width: 1400, height: 3200 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(CHARTS_PROBE(count));
    await settle();
    const marked = whenMarked(page, "charts");
    await page.goto(url);
    await marked;
    return (await page.evaluate("window.__goodseedBench.charts")) as number;
  } finally {
    await context.close();
  }
}

/**
 * Milliseconds per smoothing slider step on the chart of `url`: from the input event to
 * the end of the task that redraws (so with the wait for the next frame), and the
 * redraw alone (the page's "goodseed:smoothing" measure).
 */
async function timeSmoothing(
  browser: Browser,
  url: string,
): Promise<{ toFrame: number[]; redraw: number[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector("figure.chart[data-series] canvas", { timeout: 60_000 });
    return (await page.evaluate(`(async () => {
      const slider = document.querySelector('input[aria-label="Smoothing"]');
      const times = [];
      for (let step = 1; step <= 40; step++) {
        const started = performance.now();
        slider.value = String(Math.min(0.99, step * 0.025));
        slider.dispatchEvent(new Event("input", { bubbles: true }));
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        times.push(performance.now() - started);
      }
      const redraw = performance.getEntriesByName("goodseed:smoothing").map((entry) => entry.duration);
      return { toFrame: times, redraw };
    })()`)) as { toFrame: number[]; redraw: number[] };
  } finally {
    await context.close();
  }
}

async function benchCharts(browser: Browser): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "goodseed-bench-ui-fixture-"));
  try {
    const fixture = buildUiFixtureHome(home);
    Bun.spawnSync(["sync"]);
    const server = await startServer(join(home, "projects"));
    try {
      const keys = [...fixture.sweep, ...fixture.seeds];
      const compareUrl = `${server.base}/?runs=${keys.map(encodeURIComponent).join(",")}`;
      const first = await timeCharts(browser, compareUrl, 10);
      const repeated: number[] = [];
      for (let i = 0; i < REPEATS; i++) repeated.push(await timeCharts(browser, compareUrl, 10));
      report(`${keys.length} runs compared on 10 charts`, first, repeated);
      const { toFrame, redraw } = await timeSmoothing(
        browser,
        `${server.base}/?runs=${encodeURIComponent(fixture.million)}`,
      );
      const verdict = median(toFrame) < 50 ? "under 50 ms" : "OVER 50 ms";
      console.log(
        `${"smoothing the 1,000,000-point chart".padEnd(46)} median ${median(toFrame).toFixed(1).padStart(5)} ms input to redrawn frame (worst ${Math.max(...toFrame).toFixed(0)}), redraw alone median ${median(redraw).toFixed(1)} ms, ${toFrame.length} steps (${verdict})`,
      );
      console.log(
        `load average while measuring: ${loadavg()
          .map((value) => value.toFixed(1))
          .join(" ")}`,
      );
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (values["charts-only"]) {
  const browser = await launch();
  try {
    await benchCharts(browser);
    reportRestless();
  } finally {
    await browser.close();
  }
  process.exit(0);
}

const dir = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), "goodseed-bench-ui-"));
try {
  if (!existsSync(join(dir, "projects"))) {
    const started = performance.now();
    buildHome(dir, { runs: RUNS, points: POINTS, strings: 1000 });
    if (SWEEP > 0) buildSweepProject(dir, SWEEP);
    // The kernel's writeback of the files just written is not the server's to pay for.
    Bun.spawnSync(["sync"]);
    console.log(
      `built ${RUNS} runs and a ${POINTS.toLocaleString("en-US")}-point run in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const server = await startServer(join(dir, "projects"));
  const browser = await launch();
  try {
    const tableUrl = `${server.base}/`;
    const chartUrl = `${server.base}/?runs=${encodeURIComponent("bench/big:huge")}`;
    // One throwaway page, a JSON one that leaves the server's run list cold, so that
    // Chromium's own start-up is not charged to the first view.
    const warmup = await browser.newPage();
    await warmup.goto(`${server.base}/api/projects`);
    await warmup.close();

    const firstTable = (await timeView(browser, tableUrl, "table")).table as number;
    const tables: number[] = [];
    for (let i = 0; i < REPEATS; i++)
      tables.push((await timeView(browser, tableUrl, "table")).table as number);
    report(`runs table, ${(RUNS + 1).toLocaleString("en-US")} runs`, firstTable, tables);

    const first = await timeView(browser, chartUrl, "chart");
    const charts: number[] = [];
    for (let i = 0; i < REPEATS; i++)
      charts.push((await timeView(browser, chartUrl, "chart")).chart as number);
    report(
      `chart of a ${POINTS.toLocaleString("en-US")}-point series`,
      first.chart as number,
      charts,
      `, ${first.chartPoints?.toLocaleString("en-US")} points drawn with envelope`,
    );
    if (SWEEP > 0) {
      const sweep = await timeSweep(browser, server.base);
      const redraw = median(sweep.redraw);
      console.log(
        `${`parallel coordinates, ${SWEEP} runs`.padEnd(46)} redraw median ${redraw.toFixed(0).padStart(5)} ms   of which building the views ${median(sweep.build).toFixed(0)} ms   (${redraw < 300 ? "under 300 ms" : "OVER 300 ms"})`,
      );
    }
    await benchCharts(browser);
    reportRestless();
  } finally {
    await browser.close();
    await server.stop();
  }
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
