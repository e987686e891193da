import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { cpSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Listening } from "../../src/server/listen.ts";
import { screenshot } from "../helpers/browser.ts";
import { localRun } from "../helpers/runs.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { FIXTURES, tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-ui-");
let browser: Browser;
let server: Listening;
let writer: ReturnType<typeof spawnScript>;

async function makeRuns(home: string): Promise<void> {
  cpSync(join(FIXTURES, "home"), home, { recursive: true });
  for (const [runId, lr] of [
    ["lr-small", 0.01],
    ["lr-large", 0.1],
  ] as const) {
    const run = localRun(home, { project: "ui/compare", runId, name: `lr ${lr}`, tags: ["sweep"] });
    run.set("parameters", { lr, batch: 32, optimizer: "adam" });
    for (let step = 0; step < 300; step++)
      run.log("train/loss", Math.exp(-step * lr) + 0.01, { step });
    for (let line = 0; line < 500; line++)
      run.log("console/stdout", `epoch ${line}: loss ${(1 / (line + 1)).toFixed(4)}`, {
        step: line,
      });
    await run.close();
  }
  const dense = localRun(home, { project: "ui/dense", runId: "dense" });
  for (let step = 0; step < 50_000; step++)
    dense.log("dense/y", Math.sin(step / 500) + (step % 7) / 10, { step });
  await dense.close();
}

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(new URL(path, server.url).href);
  await page.waitForSelector("table.runs-table tbody tr");
  expect(errors).toEqual([]);
  return page;
}

const home = join(dir.path, "home");

beforeAll(async () => {
  await makeRuns(home);
  writer = spawnScript(
    `const run = new Run({ project: "ui/live", runId: "growing", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
setInterval(() => { for (let i = 0; i < 20; i++) run.log("live/loss", 1 / (step + 1), { step: step++ }); }, 100);
setTimeout(() => process.exit(0), 300000);`,
    { home },
  );
  await waitFor(
    () => Bun.file(join(home, "projects/ui/live/runs/growing.sqlite")).exists(),
    "the live run",
  );
  ({ server, browser } = await serveAndLaunch(join(home, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  writer?.kill();
  await writer?.exited;
  writer?.cleanup();
  dir[Symbol.dispose]();
});

describe("the web UI", () => {
  it("lists every run with its status, marking running ones live", async () => {
    const page = await open("/");
    const ids = await page.$$eval("table.runs-table tbody tr", (rows) =>
      rows.map((row) => row.getAttribute("data-run")),
    );
    expect(ids).toHaveLength(12);
    expect(ids).toEqual(
      expect.arrayContaining([
        "acme/vision:sweep-large-88",
        "ui/compare:lr-small",
        "ui/live:growing",
      ]),
    );
    const live = await page.$eval(
      'tr[data-run="ui/live:growing"] .status',
      (cell) => cell.textContent,
    );
    expect(live).toContain("● running");
    await page.fill('input[type="search"]', "lr-");
    await page.press('input[type="search"]', "Enter");
    await waitFor(
      async () => (await page.locator("table.runs-table tbody tr").count()) === 2,
      "the filtered table",
    );
    expect(page.url()).toContain("q=lr-");
    await screenshot(page, "runs-table");
    await page.close();
  }, 30_000);

  it("charts a metric with one series per selected run", async () => {
    const page = await open("/?project=ui%2Fcompare");
    for (const id of ["lr-small", "lr-large"])
      await page.check(`input[aria-label="Compare ${id}"]`);
    const chart = page.locator('figure.chart[data-path="train/loss"]');
    await chart.scrollIntoViewIfNeeded();
    await waitFor(
      async () => (await chart.getAttribute("data-series")) === "2",
      "two series on the chart",
    );
    expect(await chart.locator("canvas").count()).toBe(1);
    // The legend names each run, with its id on hover.
    const labels = await page.locator(".legend li").allTextContents();
    expect(labels).toEqual(expect.arrayContaining(["lr 0.01", "lr 0.1"]));
    const titles = await page
      .locator(".legend li")
      .evaluateAll((items) => items.map((item) => item.getAttribute("title")));
    expect(titles).toEqual(
      expect.arrayContaining(["lr-small (ui/compare)", "lr-large (ui/compare)"]),
    );
    expect(page.url()).toContain("runs=");
    await screenshot(page, "chart");
    await page.close();
  }, 30_000);

  it("shows only the differing config keys in the diff of the selected runs", async () => {
    const page = await open("/?runs=ui%2Fcompare%3Alr-small,ui%2Fcompare%3Alr-large");
    await page.waitForSelector("table.diff tbody tr");
    const keys = await page.$$eval("table.diff tbody td.path", (cells) =>
      cells.map((cell) => cell.textContent),
    );
    expect(keys).toContain("parameters/lr");
    expect(keys).toContain("sys/name");
    expect(keys).not.toContain("parameters/batch");
    expect(keys).not.toContain("parameters/optimizer");
    await screenshot(page, "config-diff");
    await page.close();
  }, 30_000);

  it("shows the tail of a run's console, with older pages on request, and a failed run's traceback", async () => {
    const page = await open("/?run=ui%2Fcompare%3Alr-large");
    await page.waitForSelector("pre.console");
    await waitFor(
      async () => (await page.textContent("pre.console"))?.includes("epoch 499"),
      "the console tail",
    );
    const text = (await page.textContent("pre.console")) ?? "";
    expect(text.trim().split("\n")).toHaveLength(200);
    expect(text).toContain("epoch 300: ");
    expect(text).not.toContain("epoch 299: ");
    expect(await page.textContent(".console-status")).toContain("showing 200 of 500");
    await page.click('button:has-text("Older")');
    await waitFor(
      async () => (await page.textContent(".console-status"))?.includes("400 of 500"),
      "the older page",
    );
    await screenshot(page, "console");
    await page.goto(new URL("/?run=acme%2Fvision%3Acrash-5e1b", server.url).href);
    await page.waitForSelector(".traceback pre");
    expect(await page.textContent(".traceback pre")).toContain(
      "ValueError: simulated training failure in Alpha",
    );
    await screenshot(page, "traceback");
    await page.close();
  }, 30_000);

  it("extends the chart of a running run as it logs", async () => {
    const page = await open("/?runs=ui%2Flive%3Agrowing");
    const chart = page.locator('figure.chart[data-path="live/loss"]');
    await chart.scrollIntoViewIfNeeded();
    const points = async () => Number(await chart.getAttribute("data-total"));
    await waitFor(async () => (await points()) > 0, "the first points");
    const first = await points();
    await waitFor(async () => (await points()) > first, "the chart to grow", 15_000);
    expect(await points()).toBeGreaterThan(first);
    await screenshot(page, "live");
    // Zoomed, the view stays put, and the note still counts what the run logs.
    await chart.focus();
    await chart.press("+");
    await waitFor(async () => (await chart.getAttribute("data-zoomed")) === "true", "the zoom");
    const zoomedAt = await points();
    const noted = async () =>
      Number(
        ((await chart.locator(".chart-note").textContent()) ?? "")
          .match(/([\d,]+) points/)?.[1]
          ?.replaceAll(",", ""),
      );
    await waitFor(
      async () => (await noted()) > zoomedAt,
      "the note's count to grow while zoomed",
      15_000,
    );
    expect(await chart.getAttribute("data-zoomed")).toBe("true");
    await page.close();
  }, 30_000);

  it("says why a rename of a run a live process is writing was refused, keeping what was typed", async () => {
    const page = await open("/?run=ui%2Flive%3Agrowing");
    await page.waitForSelector("form.run-editor");
    await page.fill('input[aria-label="Run name"]', "not while it runs");
    await page.click('form.run-editor button:has-text("Save")');
    const error = page.locator("form.run-editor .edit-error");
    await waitFor(async () => ((await error.textContent()) ?? "") !== "", "the refusal");
    expect(await error.textContent()).toContain("growing");
    expect(await page.inputValue('input[aria-label="Run name"]')).toBe("not while it runs");
    await page.close();
  }, 30_000);

  it("zooms a downsampled chart to full resolution by dragging or from the keyboard, and back", async () => {
    const page = await open("/?runs=ui%2Fdense%3Adense");
    const chart = page.locator('figure.chart[data-path="dense/y"]');
    await chart.scrollIntoViewIfNeeded();
    await waitFor(async () => (await chart.getAttribute("data-series")) === "1", "the chart");
    expect(await chart.locator(".chart-note").textContent()).toContain(
      "50,000 points (downsampled)",
    );
    const overview = Number(await chart.getAttribute("data-points"));
    expect(overview).toBeLessThan(5000);

    // Drag across about 1% of the steps: that range comes back point for point.
    const box = await chart.locator(".u-over").boundingBox();
    if (!box) throw new Error("the chart has no plot area");
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.45, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.46, y, { steps: 5 });
    await page.mouse.up();
    await waitFor(async () => (await chart.getAttribute("data-zoomed")) === "true", "the zoom");
    await waitFor(
      async () => !(await chart.locator(".chart-note").textContent())?.includes("downsampled"),
      "full resolution",
    );
    const zoomed = Number(await chart.getAttribute("data-points"));
    expect(zoomed).toBeGreaterThan(50);
    expect(zoomed).toBeLessThan(overview);
    await screenshot(page, "chart-zoomed");
    await chart.locator(".u-over").dblclick();
    await waitFor(async () => (await chart.getAttribute("data-zoomed")) === "false", "the reset");
    expect(Number(await chart.getAttribute("data-points"))).toBe(overview);

    await chart.focus();
    await page.keyboard.press("+");
    await waitFor(
      async () => (await chart.getAttribute("data-zoomed")) === "true",
      "the keyboard zoom",
    );
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("0");
    await waitFor(
      async () => (await chart.getAttribute("data-zoomed")) === "false",
      "the keyboard reset",
    );
    await page.close();
  }, 30_000);

  it("picks up runs created or finished while the page is open", async () => {
    const page = await open("/");
    const late = localRun(home, { project: "ui/compare", runId: "late" });
    late.log("train/loss", 0.5, { step: 0 });
    await waitFor(
      async () =>
        (await page.locator('tr[data-run="ui/compare:late"] .status').textContent())?.includes(
          "running",
        ),
      "the new run, running",
      15_000,
    );
    await late.close();
    const other = localRun(home, { project: "ui/elsewhere", runId: "fresh" });
    await other.close();
    await waitFor(
      async () =>
        (await page.locator('tr[data-run="ui/compare:late"] .status').textContent())?.includes(
          "finished",
        ),
      "the run, finished",
      15_000,
    );
    await waitFor(
      async () => (await page.locator('tr[data-run="ui/elsewhere:fresh"]').count()) === 1,
      "the new project's run",
      15_000,
    );
    await page.close();
  }, 60_000);
});
