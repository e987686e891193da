/**
 * The web UI on a run whose training process was killed: the API still says
 * `running` (as the Python server does), and the page, asking `/api/liveness`, shows
 * it "crashed" in the table and its details, the reason on hover, its duration frozen
 * at its last sign of life, while a live run's duration keeps ticking.
 */

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import type { Listening } from "../../src/server/listen.ts";
import { screenshot } from "../helpers/browser.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { closeServeAndBrowser, serveAndLaunch } from "../helpers/ui-server.ts";
import { waitFor } from "../helpers/wait.ts";

const dir = tempDir("goodseed-ui-liveness-");
const home = join(dir.path, "home");
let browser: Browser;
let server: Listening;
const writers: ReturnType<typeof spawnScript>[] = [];

const WRITER = (runId: string) =>
  `const run = new Run({ project: "live", runId: ${JSON.stringify(runId)}, captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
run.log("loss", 1, { step });
console.log("ready");
setInterval(() => run.log("loss", 1 / ++step, { step }), 100);
setTimeout(() => process.exit(0), 300000);`;

async function ready(child: ReturnType<typeof spawnScript>): Promise<void> {
  const reader = child.stdout.getReader();
  let text = "";
  await waitFor(async () => {
    const { value, done } = await reader.read();
    if (value) text += new TextDecoder().decode(value);
    return text.includes("ready") || done;
  }, "the writer's first point");
  reader.releaseLock();
}

beforeAll(async () => {
  for (const runId of ["killed", "alive"]) writers.push(spawnScript(WRITER(runId), { home }));
  await Promise.all(writers.map(ready));
  const [killed] = writers;
  killed?.kill("SIGKILL");
  await killed?.exited;
  ({ server, browser } = await serveAndLaunch(join(home, "projects")));
}, 60_000);

afterAll(async () => {
  await closeServeAndBrowser(browser, server);
  for (const writer of writers) {
    writer.kill("SIGKILL");
    await writer.exited;
    writer.cleanup();
  }
  dir[Symbol.dispose]();
});

describe("a run whose process was killed, in the web UI", () => {
  it("shows crashed with a frozen duration and the reason, while a live run ticks", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(new URL("/?project=live&run=live%3Akilled", server.url).href);
    const killedStatus = page.locator('tr[data-run="live:killed"] td.status');
    await waitFor(
      async () => (await killedStatus.textContent())?.includes("crashed"),
      "the killed run shown crashed",
    );
    expect(await killedStatus.getAttribute("title")).toContain("has exited");
    expect(await page.locator('tr[data-run="live:alive"] td.status').textContent()).toContain(
      "● running",
    );
    await page.waitForSelector('.details .status[data-status="crashed"]');
    const frozen = page.locator('tr[data-run="live:killed"] td.duration');
    const ticking = page.locator('tr[data-run="live:alive"] td.duration');
    const frozenBefore = await frozen.textContent();
    const detailsBefore = await page.locator(".details .duration").textContent();
    expect(frozenBefore).toMatch(/^\d+s$/);
    // The live run's duration ticks twice; the killed run's does not move.
    for (let tick = 0; tick < 2; tick++) {
      const before = await ticking.textContent();
      await waitFor(async () => (await ticking.textContent()) !== before, "the live run to tick");
    }
    expect(await frozen.textContent()).toBe(frozenBefore);
    expect(await page.locator(".details .duration").textContent()).toBe(detailsBefore);
    // The API's status stays the Python server's answer.
    const answer = await fetch(new URL("/api/runs?project=live", server.url));
    const { runs } = (await answer.json()) as { runs: { run_id: string; status: string }[] };
    expect(runs.find((run) => run.run_id === "killed")?.status).toBe("running");
    await screenshot(page, "crashed-run");
    // The status filter goes by what the table shows: crashed apart from running.
    const shownRuns = () =>
      page
        .locator("tbody tr[data-run]")
        .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-run")));
    await page.selectOption('label:has-text("Status") select', "crashed");
    await waitFor(async () => (await shownRuns()).join() === "live:killed", "only the crashed run");
    await page.selectOption('label:has-text("Status") select', "running");
    await waitFor(async () => (await shownRuns()).join() === "live:alive", "only the running run");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
