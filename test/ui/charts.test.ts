import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { buildUiFixtureHome, type UiFixture } from "../../scripts/ui-fixture-home.ts";
import type { Listening } from "../../src/server/listen.ts";
import { SCREENSHOTS, screenshot } from "../helpers/browser.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-charts-");
let browser: Browser;
let server: Listening;
let fixture: UiFixture;

/** What a chart last handed to uPlot: the aligned columns and each series' label/colour. */
interface Drawn {
  data: (number | null | undefined)[][];
  lines: { label: string; color: string; raw: boolean; stroke: string }[];
}

beforeAll(async () => {
  fixture = buildUiFixtureHome(join(dir.path, "home"));
  ({ server, browser } = await serveAndLaunch(join(fixture.home, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  dir[Symbol.dispose]();
});

/** The API requests each page made, as URLs, from before its navigation. */
const requested = new WeakMap<Page, URL[]>();

/** The `/api/series/packed` requests a page made for one path, and its per-run `/metrics` requests. */
function seriesRequests(page: Page, path: string): { batches: URL[]; perRun: URL[] } {
  const urls = requested.get(page) ?? [];
  return {
    batches: urls.filter(
      (url) =>
        url.pathname === "/api/series/packed" && url.searchParams.getAll("path").includes(path),
    ),
    perRun: urls.filter((url) => url.pathname.endsWith("/metrics")),
  };
}

/**
 * The series of a batch request whose path `matches`, each as its run, path and
 * position: `path` is given once for all or once per run (the charts of a board share
 * requests, each chart's series side by side).
 */
function seriesAsked(url: URL, matches: (path: string) => boolean) {
  const runs = url.searchParams.getAll("run");
  const paths = url.searchParams.getAll("path");
  return runs
    .map((run, index) => ({
      run,
      path: (paths.length === 1 ? paths[0] : paths[index]) as string,
      index,
    }))
    .filter((item) => matches(item.path));
}

const runsParam = (keys: string[]) => `runs=${keys.map(encodeURIComponent).join(",")}`;

async function open(query: string, width = 1400): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 1000 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const urls: URL[] = [];
  requested.set(page, urls);
  page.on("request", (request) => urls.push(new URL(request.url())));
  await page.goto(new URL(`/?${query}`, server.url).href);
  await page.waitForSelector("figure.chart");
  expect(errors).toEqual([]);
  return page;
}

function chartOf(page: Page, key: string): Locator {
  return page.locator(`figure.chart[data-path="${key}"]`);
}

async function drawnChart(page: Page, key: string, series?: number): Promise<Locator> {
  const chart = chartOf(page, key);
  await chart.scrollIntoViewIfNeeded();
  await waitFor(async () => {
    const count = await chart.getAttribute("data-series");
    return series === undefined ? count !== null : count === String(series);
  }, `the chart ${key}`);
  return chart;
}

async function drawn(chart: Locator): Promise<Drawn> {
  return chart.evaluate((element) => {
    const figure = element as unknown as {
      plotData?: (number | null | undefined)[][];
      plotLines?: Drawn["lines"];
    };
    // undefined does not survive the trip out of the page: mark it.
    const data = (figure.plotData ?? []).map((column: (number | null | undefined)[]) =>
      Array.from(column, (value) => (value === undefined ? "u" : value)),
    );
    return { data, lines: figure.plotLines ?? [] } as unknown as Drawn;
  });
}

/** Pixels of each colour on the chart's canvas (within a small tolerance). */
async function colourCounts(chart: Locator, colors: string[]): Promise<number[]> {
  return chart.locator("canvas").evaluate((canvas, wanted) => {
    /** The little of a canvas this needs (the tests type-check without the DOM library). */
    const surface = canvas as unknown as {
      width: number;
      height: number;
      getContext(kind: "2d"): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const ctx = surface.getContext("2d");
    const { width, height } = surface;
    const pixels = ctx.getImageData(0, 0, width, height).data;
    const rgb = wanted.map((hex) =>
      [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)),
    );
    const counts = wanted.map(() => 0);
    for (let i = 0; i < pixels.length; i += 4) {
      if ((pixels[i + 3] as number) < 250) continue;
      rgb.forEach(([r, g, b], index) => {
        if (
          Math.abs((pixels[i] as number) - (r as number)) <= 12 &&
          Math.abs((pixels[i + 1] as number) - (g as number)) <= 12 &&
          Math.abs((pixels[i + 2] as number) - (b as number)) <= 12
        )
          counts[index] = (counts[index] as number) + 1;
      });
    }
    return counts;
  }, colors);
}

describe("charts of compared runs", () => {
  it("draws every run of a sweep as a continuous line over its whole range, each in its own colour", async () => {
    // Runs of 2,000, ~9,500 and ~18,000 steps, each downsampled with its own buckets.
    const keys = [fixture.sweep[0], fixture.sweep[7], fixture.sweep[15]] as string[];
    const page = await open(runsParam(keys));
    const chart = await drawnChart(page, "train/lr", 3);
    const { data, lines } = await drawn(chart);
    expect(lines.map((line) => line.raw)).toEqual([false, false, false]);
    const xs = data[0] as number[];
    const lastSteps: number[] = [];
    for (const column of data.slice(1)) {
      const defined = column.flatMap((value, i) => (value === ("u" as never) ? [] : [i]));
      const first = defined[0] as number;
      const last = defined[defined.length - 1] as number;
      // No gap (null) anywhere inside the run's range: steps it lacks are stepped over.
      expect(column.slice(first, last + 1).filter((value) => value === null)).toEqual([]);
      expect(xs[first]).toBeLessThan(1);
      lastSteps.push(xs[last] as number);
    }
    // Each line reaches its own last step: 1,999, ~9,500 and ~18,000.
    expect(lastSteps[0]).toBeGreaterThan(1990);
    expect(lastSteps[0]).toBeLessThan(2000);
    expect(lastSteps[1]).toBeGreaterThan(9000);
    expect(lastSteps[2]).toBeGreaterThan(17900);
    const colors = lines.map((line) => line.color);
    expect(new Set(colors).size).toBe(3);
    // The canvas holds every run's colour, not only the last one drawn.
    const counts = await colourCounts(chart, colors);
    for (const count of counts) expect(count).toBeGreaterThan(100);
    // Hovering lists every run's value at (or nearest to) the cursor's step.
    const box = await chart.locator(".u-over").boundingBox();
    if (!box) throw new Error("no plot area");
    const tip = chart.locator(".chart-tip");
    let nudge = 0;
    await waitFor(async () => {
      await page.mouse.move(box.x + box.width * (0.05 + (nudge++ % 5) / 100), box.y + 60);
      return (await tip.locator("li").count()) === 3;
    }, "the hover list");
    const values = await tip.locator(".tip-value").allTextContents();
    for (const value of values) expect(Number(value)).toBeGreaterThan(0);
    await screenshot(page, "charts-overlay");
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-overlay-hover.png") });
    await page.close();
  }, 60_000);

  it("keeps a run's colour in every selection and after a reload, in chart, legend and table alike", async () => {
    /** Each run's colour in a view of `keys`: its chart line, legend swatch and table swatch. */
    const colorsOf = async (keys: string[], page?: Page) => {
      const shown = page ?? (await open(runsParam(keys)));
      const chart = await drawnChart(shown, "train/loss", keys.length);
      const { lines } = await drawn(chart);
      const byName = new Map(lines.map((line) => [line.label, line.color]));
      const rgb = (style: string | null) => /#[0-9a-f]{6}/i.exec(style ?? "")?.[0]?.toLowerCase();
      // The legend's and the table's swatches are the chart's colours.
      const byKey = new Map<string, string | undefined>();
      for (const item of await shown.locator(".chart-board .legend li").all()) {
        const name = (await item.textContent())?.trim() ?? "";
        const swatch = rgb(await item.locator(".swatch").getAttribute("style"));
        expect(swatch).toBe(byName.get(name)?.toLowerCase());
        const [, id, project] =
          /^(.+) \((.+)\)$/.exec((await item.getAttribute("title")) ?? "") ?? [];
        byKey.set(`${project}:${id}`, swatch);
      }
      expect([...byKey.keys()].sort()).toEqual(keys.toSorted());
      await waitFor(
        async () =>
          (await shown.locator("tr[data-run] .swatch:not(.blank)").count()) === keys.length,
        "table swatches",
      );
      for (const key of keys) {
        const swatch = await shown
          .locator(`tr[data-run="${key}"] .swatch:not(.blank)`)
          .getAttribute("style");
        expect(rgb(swatch)).toBe(byKey.get(key) as string);
      }
      if (!page) await shown.close();
      return byKey;
    };
    const all = [...fixture.sweep, ...fixture.seeds];
    const everything = await colorsOf(all);
    expect(new Set(everything.values()).size).toBe(30);
    // Other selections: two pairs sharing a run (with the 30, a view-wide rule moves some).
    const [a, b, c] = [fixture.sweep[3], fixture.sweep[4], fixture.seeds[2]] as [
      string,
      string,
      string,
    ];
    for (const keys of [
      [a, b],
      [c, a],
    ]) {
      const colors = await colorsOf(keys);
      for (const [key, color] of colors) expect(color).toBe(everything.get(key) as string);
    }
    // A link to a run of another project draws it from that project's runs first, then
    // takes the colour dealt over every run once the whole list is in.
    const expected = (await colorsOf([fixture.million, a])).get(fixture.million);
    const alone = await open(runsParam([fixture.million]));
    const chart = await drawnChart(alone, "train/loss", 1);
    await waitFor(
      async () => (await drawn(chart)).lines[0]?.color === expected,
      "the colour dealt over every run",
    );
    await alone.close();
    // A reload (the next visit) draws the same colours.
    const page = await open(runsParam([a, c]));
    const first = await colorsOf([a, c], page);
    await page.reload();
    await page.waitForSelector("figure.chart");
    expect([...(await colorsOf([a, c], page))]).toEqual([...first]);
    await page.close();
  }, 180_000);

  it("gives 30 compared runs 30 distinct colours on 10 charts, with a compact legend", async () => {
    const keys = [...fixture.sweep, ...fixture.seeds];
    expect(keys).toHaveLength(30);
    const page = await open(runsParam(keys));
    const chart = await drawnChart(page, "train/loss", 30);
    const { lines, data } = await drawn(chart);
    expect(new Set(lines.map((line) => line.color)).size).toBe(30);
    expect(data).toHaveLength(31);
    expect(await page.locator(".legend.compact li").count()).toBe(30);
    // All 30 runs of the chart in one request (with the other charts' series), none one by one.
    const { batches, perRun } = seriesRequests(page, "train/loss");
    expect(batches).toHaveLength(1);
    const loss = seriesAsked(batches[0] as URL, (path) => path === "train/loss");
    expect(new Set(loss.map((item) => item.run)).size).toBe(30);
    expect(perRun).toEqual([]);
    const title = await page.locator(".legend li").first().getAttribute("title");
    expect(title).toMatch(/^(sweep|seed)-\d\d \(sweep\/(lr|seeds)\)$/);
    await screenshot(page, "charts-30-runs");
    await hoverThirty(page, chart);
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-30-runs.png") });
    await page.close();
  }, 60_000);

  it("hangs the hover list of 30 runs below the chart on a 390 px phone, the plot in sight", async () => {
    const page = await open(runsParam([...fixture.sweep, ...fixture.seeds]), 390);
    const chart = await drawnChart(page, "train/loss", 30);
    await hoverThirty(page, chart);
    const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
    expect(width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, "chart-30-runs-phone.png") });
    await page.close();
  }, 60_000);
});

/**
 * Hovers a chart of 30 runs: the list holds every run, highest value first, and stays
 * inside the chart's box and the window.
 */
async function hoverThirty(page: Page, chart: Locator): Promise<void> {
  const box = await chart.locator(".u-over").boundingBox();
  const figure = await chart.boundingBox();
  if (!box || !figure) throw new Error("no plot area");
  const tip = chart.locator(".chart-tip");
  // The chart may be drawn again under a still mouse (the full-page screenshot changed
  // the scroll bar and so the width): keep moving, as a hand does.
  let nudge = 0;
  await waitFor(async () => {
    await page.mouse.move(box.x + box.width * (0.7 + (nudge++ % 5) / 100), box.y + 60);
    return (await tip.getAttribute("data-total")) === "30" && (await tip.isVisible());
  }, "30 runs in the hover list");
  // Every run is listed, in columns of smaller rows; none is left out as "+N more".
  expect(await tip.getAttribute("data-shown")).toBe("30");
  expect(await tip.locator(".tip-more").count()).toBe(0);
  const values = (await tip.locator(".tip-value").allTextContents()).map(Number);
  expect(values.filter((value) => Number.isNaN(value))).toEqual([]);
  // Runs with a point there first, then those that ended before: each highest first.
  const outside = await tip
    .locator("li:not(.tip-more)")
    .evaluateAll((items) => items.map((item) => item.classList.contains("tip-outside")));
  expect(outside).toEqual(outside.toSorted((x, y) => Number(x) - Number(y)));
  for (const part of [false, true]) {
    const some = values.filter((_, i) => outside[i] === part);
    expect(some).toEqual(some.toSorted((x, y) => y - x));
  }
  const inside = await tip.boundingBox();
  if (!inside) throw new Error("no hover list");
  const viewport = page.viewportSize() ?? { width: 0, height: 0 };
  expect(inside.x).toBeGreaterThanOrEqual(figure.x - 1);
  expect(inside.x + inside.width).toBeLessThanOrEqual(
    Math.min(figure.x + figure.width, viewport.width) + 1,
  );
  if (viewport.width > 600) {
    expect(inside.y + inside.height).toBeLessThanOrEqual(figure.y + figure.height + 1);
  } else {
    // On a phone the list of 30 would hide the whole plot: it hangs below the chart
    // (over what follows it), inside the window.
    expect(inside.y).toBeGreaterThanOrEqual(box.y + box.height);
    expect(inside.y + inside.height).toBeLessThanOrEqual(viewport.height + 1);
  }
}

describe("smoothing", () => {
  it("smooths every chart with a debiased EMA, the raw line faint behind, and keeps it in the URL", async () => {
    // grad/norm: noisy, 200 points, drawn as logged.
    const page = await open(runsParam([fixture.sweep[0] as string]));
    const chart = await drawnChart(page, "grad/norm", 1);
    const before = await drawn(chart);
    await page.locator('input[aria-label="Smoothing"]').fill("0.9");
    await waitFor(async () => (await drawn(chart)).lines.length === 2, "the smoothed chart");
    const after = await drawn(chart);
    expect(after.lines.map((line) => line.raw)).toEqual([true, false]);
    expect(after.lines[0]?.stroke).toMatch(/^#[0-9a-f]{6}40$/);
    const roughness = (column: (number | null | undefined)[]) => {
      let sum = 0;
      const values = column.filter((value): value is number => typeof value === "number");
      for (let i = 1; i < values.length; i++)
        sum += Math.abs((values[i] as number) - (values[i - 1] as number));
      return sum;
    };
    expect(after.data[1]).toEqual(before.data[1] as never);
    expect(roughness(after.data[2] as number[])).toBeLessThan(
      roughness(before.data[1] as number[]) / 3,
    );
    expect(page.url()).toContain("smooth=0.9");
    await screenshot(page, "charts-smoothing");
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-smoothing.png") });
    // A fresh visit of the link comes back smoothed.
    const again = await open(new URL(page.url()).search.slice(1));
    const chartAgain = await drawnChart(again, "grad/norm", 1);
    expect((await drawn(chartAgain)).lines).toHaveLength(2);
    await again.close();
    await page.close();
  }, 60_000);
});

describe("smoothing a zoomed range", () => {
  it("draws the same smoothed line zoomed as unzoomed: the average goes on from before the range", async () => {
    // train/loss of a run of some 10,000 steps: downsampled whole, point for point zoomed.
    const key = fixture.sweep[9] as string;
    const smoothedNear = async (query: string, at: number) => {
      const page = await open(query);
      const chart = await drawnChart(page, "train/loss", 1);
      await waitFor(async () => (await drawn(chart)).lines.length === 2, "the smoothed chart");
      if (query.includes("zoom="))
        await waitFor(async () => (await chart.getAttribute("data-zoomed")) === "true", "the zoom");
      const { data } = await drawn(chart);
      await page.close();
      const xs = data[0] as number[];
      let best = 0;
      for (let i = 0; i < xs.length; i++)
        if (
          typeof data[2]?.[i] === "number" &&
          Math.abs((xs[i] as number) - at) < Math.abs((xs[best] as number) - at)
        )
          best = i;
      return data[2]?.[best] as number;
    };
    const whole = await smoothedNear(`${runsParam([key])}&smooth=0.99`, 850);
    const zoomed = await smoothedNear(`${runsParam([key])}&smooth=0.99&zoom=step~800~1400`, 850);
    // Started afresh at the zoom's edge, it read some 4% lower here.
    expect(Math.abs(zoomed - whole) / whole).toBeLessThan(0.01);
  }, 60_000);
});

describe("finding charts", () => {
  it("sorts 68 charts into sections, filters them as you type, collapses and enlarges, all in the URL", async () => {
    const page = await open(runsParam([fixture.wide]));
    const sections = await page.$$eval("details.chart-section", (all) =>
      all.map((section) => section.getAttribute("data-section")),
    );
    expect(sections).toEqual(["grad", "perf", "test", "train", "val"]);
    expect(await page.locator("figure.chart").count()).toBe(68);
    await page.locator("input.chart-filter").pressSequentially("metric_0");
    await waitFor(
      async () => (await page.locator("figure.chart:visible").count()) === 10,
      "ten charts left",
    );
    expect(page.url()).toContain("cf=metric_0");
    await page.locator("input.chart-filter").fill("");
    await page.locator('details[data-section="grad"] > summary').click();
    await waitFor(
      async () => page.url().includes("collapse=grad"),
      "the collapsed section in the URL",
    );
    expect(await page.locator('details[data-section="grad"] figure.chart:visible').count()).toBe(0);
    const chart = await drawnChart(page, "train/metric_00");
    const narrow = (await chart.boundingBox())?.width ?? 0;
    await chart.locator('button[title^="Enlarge"]').click();
    await waitFor(
      async () => ((await chart.boundingBox())?.width ?? 0) > narrow * 1.5,
      "the enlarged chart",
    );
    expect(page.url()).toContain("big=train%2Fmetric_00");
    await screenshot(page, "charts-sections");
    // Back undoes the enlargement, then the collapse.
    await page.goBack();
    await waitFor(async () => !page.url().includes("big="), "Back to the normal size");
    await waitFor(
      async () => ((await chart.boundingBox())?.width ?? 0) < narrow * 1.2,
      "the chart back to its size",
    );
    await page.close();
  }, 60_000);

  it("says when the chart filter matches no chart, with a way to clear it", async () => {
    const page = await open(runsParam([fixture.wide]));
    await page.locator("input.chart-filter").pressSequentially("zzz-no-such-chart");
    await page.waitForSelector(".empty-charts:visible");
    expect(await page.textContent(".empty-charts")).toContain(
      "No chart matches “zzz-no-such-chart”",
    );
    expect(await page.locator("figure.chart:visible").count()).toBe(0);
    await page.click('.empty-charts button:has-text("Clear the chart filter")');
    await waitFor(
      async () => (await page.locator("figure.chart:visible").count()) > 0,
      "the charts back",
    );
    expect(await page.inputValue("input.chart-filter")).toBe("");
    expect(page.url()).not.toContain("cf=");
    expect(await page.locator(".empty-charts").isHidden()).toBe(true);
    await page.close();
  }, 60_000);

  it("says which compared runs of a link the server does not have, and drops them on request", async () => {
    const present = fixture.sweep[0] as string;
    const page = await open(runsParam(["sweep/lr:nope-99", present]));
    await page.waitForSelector('.notice:has-text("not on this server")');
    expect(await page.textContent(".notice")).toContain("sweep/lr / nope-99");
    await page.click('.notice button:has-text("Drop from the comparison")');
    await waitFor(
      async () => new URL(page.url()).searchParams.get("runs") === present,
      "only the run that exists compared",
    );
    await page.close();
  }, 60_000);
});

describe("NaN and infinities", () => {
  it("marks NaN, +Infinity and -Infinity points on the chart instead of dropping them", async () => {
    const page = await open(runsParam([fixture.wide]));
    const chart = await drawnChart(page, "train/metric_00", 1);
    expect(await chart.getAttribute("data-markers")).toBe("3");
    expect(await chart.locator(".chart-note").textContent()).toContain(
      "1 NaN, 1 +Inf, 1 -Inf marked",
    );
    const { data } = await drawn(chart);
    const xs = data[0] as number[];
    // The line breaks at each of them (null), it does not bridge over them.
    for (const step of [50, 120, 160]) expect(data[1]?.[xs.indexOf(step)]).toBeNull();
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-nan-inf.png") });
    await screenshot(page, "charts-nan-inf");
    // Downsampled, the buckets' figures leave them out: they are marked all the same.
    const million = await open(runsParam([fixture.million]));
    const overview = await drawnChart(million, "train/loss", 1);
    expect(await overview.getAttribute("data-downsampled")).toBe("true");
    expect(await overview.getAttribute("data-markers")).toBe("3");
    expect(await overview.locator(".chart-note").textContent()).toContain(
      "1 NaN, 1 +Inf, 1 -Inf marked",
    );
    await million.close();
    // Zoomed, only the marks in view count: the NaN at step 500,000 is the point just
    // before this range (fetched, so that the line runs on to the edge), not in view.
    const zoomed = await open(`${runsParam([fixture.million])}&zoom=step~500001~500400`);
    const window = await drawnChart(zoomed, "train/loss", 1);
    await waitFor(
      async () => (await window.getAttribute("data-downsampled")) === "false",
      "the zoomed range drawn point for point",
    );
    expect(await window.getAttribute("data-markers")).toBe("0");
    expect(await window.locator(".chart-note").textContent()).not.toContain("NaN");
    await zoomed.close();
    // A series of one point is drawn as a dot, not an empty plot.
    const single = await drawnChart(page, "test/final_score", 1);
    const { lines } = await drawn(single);
    const [dot] = await colourCounts(single, [lines[0]?.color as string]);
    expect(dot).toBeGreaterThan(10);
    await page.close();
  }, 60_000);
});

describe("x axis", () => {
  it("switches all charts or one to relative or wall time; system charts default to time", async () => {
    const page = await open(runsParam([fixture.sweep[0] as string, fixture.sweep[1] as string]));
    const cpu = await drawnChart(page, "System/cpu");
    // Two processes per run, each its own line, on the time axis.
    expect(await cpu.getAttribute("data-series")).toBe("4");
    expect(await cpu.locator(".chart-title").textContent()).toBe("CPU (%)");
    // Both runs' processes in one request, each run with its own process's path.
    const isCpu = (path: string) => /^monitoring\/[^/]+\/cpu$/.test(path);
    const system = (requested.get(page) ?? []).filter(
      (url) => url.pathname === "/api/series/packed" && url.searchParams.getAll("path").some(isCpu),
    );
    expect(system).toHaveLength(1);
    const cpuSeries = seriesAsked(system[0] as URL, isCpu);
    expect(cpuSeries).toHaveLength(4);
    expect(new Set(cpuSeries.map((item) => item.path)).size).toBe(4);
    await waitFor(
      async () => (((await drawn(cpu)).data[0] as number[])[0] ?? 1e9) < 100,
      "seconds since the run's start on the system chart",
    );
    await cpu.screenshot({ path: join(SCREENSHOTS, "chart-system-cpu.png") });
    const loss = await drawnChart(page, "train/loss", 2);
    const stepXs = (await drawn(loss)).data[0] as number[];
    expect(stepXs[stepXs.length - 1]).toBeGreaterThan(1900);
    await page.locator("select.board-x").selectOption("wall");
    await waitFor(
      async () => (((await drawn(loss)).data[0] as number[])[0] ?? 0) > 1.7e9,
      "wall-clock seconds on x",
    );
    expect(page.url()).toContain("x=wall");
    await loss.locator("select.chart-x").selectOption("relative");
    await waitFor(
      async () => (((await drawn(loss)).data[0] as number[])[0] ?? 1e9) < 100,
      "seconds since start on x",
    );
    expect(decodeURIComponent(page.url())).toContain("xc=train/loss~relative");
    await screenshot(page, "charts-time-axis");
    await page.close();
  }, 60_000);
});

describe("zoom", () => {
  it("reaches the raw points of a 1M-point series, syncs the zoom into the URL, and Back undoes it", async () => {
    const page = await open(runsParam([fixture.million]));
    const chart = await drawnChart(page, "train/loss", 1);
    expect(await chart.getAttribute("data-downsampled")).toBe("true");
    await chart.focus();
    // Thirteen halvings of a million steps leave ~120 steps: fewer than the chart's width.
    for (let i = 0; i < 13; i++) {
      const before = page.url();
      await chart.press("+");
      await waitFor(async () => page.url() !== before, "the zoom in the URL");
    }
    await waitFor(
      async () => (await chart.getAttribute("data-downsampled")) === "false",
      "raw points",
      20_000,
    );
    const zoom = new URL(page.url()).searchParams.get("zoom") ?? "";
    const [mode, from, to] = zoom.split("~");
    expect(mode).toBe("step");
    expect(Number(to) - Number(from)).toBeLessThan(150);
    const { data } = await drawn(chart);
    // Every step of the window is drawn, one point each.
    const xs = (data[0] as number[]).filter((x) => x >= Number(from) && x <= Number(to));
    expect(xs.length).toBeGreaterThan(100);
    for (let i = 1; i < xs.length; i++) expect((xs[i] as number) - (xs[i - 1] as number)).toBe(1);
    // The whole series at the chart's width (a point per pixel), zooms by the batch route.
    const { batches, perRun } = seriesRequests(page, "train/loss");
    const width = await chart.locator("div.plot").evaluate((plot) => plot.clientWidth);
    expect(Number(batches[0]?.searchParams.get("pointCount"))).toBe(width);
    expect(perRun).toEqual([]);
    await screenshot(page, "charts-zoom-raw");
    await chart.screenshot({ path: join(SCREENSHOTS, "chart-zoom-raw.png") });
    // Deeper, logged steps lie tens of pixels apart: between two of them the hover list
    // is headed by a whole step, never "step 499762.755".
    for (let i = 0; i < 4; i++) {
      const before = page.url();
      await chart.press("+");
      await waitFor(async () => page.url() !== before, "a deeper zoom in the URL");
    }
    const over = await chart.locator(".u-over").boundingBox();
    if (!over) throw new Error("no plot area");
    const tip = chart.locator(".chart-tip");
    const headings = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await page.mouse.move(over.x + over.width * (0.3 + i * 0.031), over.y + over.height / 2);
      await waitFor(async () => await tip.isVisible(), "the hover list");
      headings.add((await tip.locator("p").first().textContent()) ?? "");
    }
    for (const heading of headings) expect(heading).toMatch(/^step \d+$/);
    await page.goBack();
    await waitFor(async () => new URL(page.url()).searchParams.get("zoom") !== zoom, "Back");
    await page.goto(new URL(`/?${runsParam([fixture.million])}`, server.url).href);
    await page.close();
  }, 90_000);

  it("zooms every chart of the comparison together", async () => {
    const page = await open(runsParam([fixture.sweep[14] as string, fixture.sweep[15] as string]));
    const loss = await drawnChart(page, "train/loss", 2);
    const lr = await drawnChart(page, "train/lr", 2);
    await loss.scrollIntoViewIfNeeded();
    const box = await loss.locator(".u-over").boundingBox();
    if (!box) throw new Error("no plot area");
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    for (const chart of [loss, lr])
      await waitFor(
        async () => (await chart.getAttribute("data-zoomed")) === "true",
        "both zoomed",
      );
    for (const chart of [loss, lr]) {
      const xs = (await drawn(chart)).data[0] as number[];
      expect(xs.length).toBeGreaterThan(100);
      expect(await chart.getAttribute("data-downsampled")).toBe("false");
    }
    // Each chart's zoom asks for both runs' ranges in one request, none one run at a time.
    const { batches, perRun } = seriesRequests(page, "train/loss");
    const ranged = batches.filter((url) => url.searchParams.has("firstPointIndex"));
    expect(ranged.length).toBeGreaterThan(0);
    for (const url of ranged) {
      expect(seriesAsked(url, (path) => path === "train/loss")).toHaveLength(2);
      const runs = url.searchParams.getAll("run").length;
      expect(url.searchParams.getAll("firstPointIndex")).toHaveLength(runs);
      expect(url.searchParams.getAll("lastPointIndex")).toHaveLength(runs);
    }
    expect(perRun).toEqual([]);
    await page.close();
  }, 60_000);
});

describe("export", () => {
  it("downloads a chart's points as CSV and its picture with the legend as PNG", async () => {
    const keys = [fixture.sweep[0] as string, fixture.sweep[1] as string];
    const page = await open(runsParam(keys));
    const chart = await drawnChart(page, "val/acc", 2);
    const [csvDownload] = await Promise.all([
      page.waitForEvent("download"),
      chart.locator('button:text-is("CSV")').click(),
    ]);
    const csv = readFileSync((await csvDownload.path()) as string, "utf8")
      .trim()
      .split("\n");
    expect(csv[0]).toBe("project,run,path,step,logged_at,value");
    // val/acc is logged every 100 steps: 20 points of the 2,000-step run, and the other's.
    expect(csv.filter((row) => row.startsWith("sweep/lr,sweep-00,val/acc,"))).toHaveLength(20);
    expect(csv.some((row) => row.startsWith("sweep/lr,sweep-01,val/acc,"))).toBe(true);
    expect(csvDownload.suggestedFilename()).toBe("val-acc.csv");
    const [pngDownload] = await Promise.all([
      page.waitForEvent("download"),
      chart.locator('button:text-is("PNG")').click(),
    ]);
    const png = readFileSync((await pngDownload.path()) as string);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    const canvasHeight = Number(await chart.locator("canvas").getAttribute("height"));
    // Taller than the chart: the title and the legend are in the picture.
    expect(png.readUInt32BE(20)).toBeGreaterThan(canvasHeight);
    // The zoomed range's CSV is offered only while zoomed.
    expect(await chart.locator(".csv-zoom").isHidden()).toBe(true);
    await page.close();
    const zoomed = await open(`${runsParam(keys)}&zoom=step~0~450`);
    const zoomedChart = await drawnChart(zoomed, "val/acc", 2);
    await zoomed.waitForSelector('figure.chart[data-path="val/acc"][data-zoomed="true"] .csv-zoom');
    const [zoomDownload] = await Promise.all([
      zoomed.waitForEvent("download"),
      zoomedChart.locator(".csv-zoom").click(),
    ]);
    const rows = readFileSync((await zoomDownload.path()) as string, "utf8")
      .trim()
      .split("\n")
      .slice(1);
    // Steps 0, 100, …, 400 of each run.
    expect(rows.filter((row) => row.startsWith("sweep/lr,sweep-00,val/acc,"))).toHaveLength(5);
    expect(rows.every((row) => Number(row.split(",")[3]) <= 450)).toBe(true);
    await zoomed.close();
  }, 60_000);
});
