/**
 * A link to runs of a project other than the oldest (`/?runs=KEY,…`): the time from
 * navigation start to the frame after its first chart is drawn, and every colour that
 * chart's lines took from their first paint until the whole run list is in (one set of
 * colours: the first paint had the final ones; more: the colours changed on screen).
 *
 *   bun scripts/bench-linked-chart.ts HOME KEY[,KEY…] [--repeats 7] [--against CHECKOUT]
 *
 * HOME is a home with `projects/` (`bun scripts/bench-ui.ts --keep DIR` makes one of
 * 5,000 runs, `bun scripts/ui-fixture-home.ts DIR` the UI fixture). Each view opens in
 * a fresh browser context. With `--against`, a second server runs the UI of another
 * checkout (e.g. `git archive` of an older commit) and the two are timed in turns, so
 * that the machine's load weighs on both alike.
 */

import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Browser } from "playwright-core";
import { launch } from "../test/helpers/browser.ts";
import { median, startServer } from "./bench-home.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { repeats: { type: "string", default: "7" }, against: { type: "string" } },
});
const [home, keys] = positionals;
if (!home || !keys) throw new Error("usage: bun scripts/bench-linked-chart.ts HOME KEY[,KEY…]");
const REPEATS = Number(values.repeats);

/** Runs in the page before its scripts: the first chart's paint, and its colours each frame. */
const PROBE = `
  window.__linked = { colors: [] };
  const marks = window.__linked;
  const look = () => {
    const chart = document.querySelector("figure.chart[data-series] canvas");
    const lines = chart && chart.closest("figure").plotLines;
    if (lines && lines.length > 0) {
      if (!("chartSeen" in marks)) {
        marks.chartSeen = true;
        requestAnimationFrame(() => { marks.chart = performance.now(); });
      }
      const color = lines.map((line) => line.color).join(" ");
      if (marks.colors[marks.colors.length - 1] !== color) marks.colors.push(color);
    }
    const status = document.getElementById("status");
    if ("chart" in marks && status && /\\d+ runs/.test(status.textContent || "")) marks.listed = true;
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
`;

async function view(browser: Browser, url: string): Promise<{ chart: number; colors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(PROBE);
    await page.goto(url);
    await page.waitForFunction("window.__linked.listed === true", null, { timeout: 60_000 });
    // Two more frames: a recolour after the list would be painted by then.
    await page.evaluate(
      "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))",
    );
    return (await page.evaluate("window.__linked")) as { chart: number; colors: string[] };
  } finally {
    await context.close();
  }
}

const projects = join(resolve(home), "projects");
const servers = [{ name: "this checkout", server: await startServer(projects) }];
if (values.against)
  servers.push({
    name: values.against,
    server: await startServer(projects, join(resolve(values.against), "bin/goodseed.ts")),
  });
const browser = await launch();
try {
  const query = `/?runs=${keys.split(",").map(encodeURIComponent).join(",")}`;
  const results = servers.map(() => ({ times: [] as number[], changed: 0 }));
  for (let i = 0; i <= REPEATS; i++) {
    for (const [s, { name, server }] of servers.entries()) {
      const marks = await view(browser, `${server.base}${query}`);
      const result = results[s] as (typeof results)[number];
      // The first view pays for the server's cold caches: reported apart.
      if (i === 0)
        console.log(
          `${name}: first view, chart ${marks.chart.toFixed(0)} ms, ${marks.colors.length} colour set(s)`,
        );
      else {
        result.times.push(marks.chart);
        if (marks.colors.length > 1) result.changed++;
      }
    }
  }
  for (const [s, { name }] of servers.entries()) {
    const { times, changed } = results[s] as (typeof results)[number];
    console.log(
      `${name}: linked chart, ${REPEATS} views: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); colours changed after the first paint in ${changed} of ${REPEATS}`,
    );
  }
  console.log(
    `load average: ${loadavg()
      .map((value) => value.toFixed(1))
      .join(" ")}`,
  );
} finally {
  await browser.close();
  for (const { server } of servers) await server.stop();
}
