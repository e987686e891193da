/**
 * Where a view of the web UI spends its time, from navigation to the view drawn:
 * each request (start and end in ms from navigation, body bytes, Server-Timing), and
 * from a Chromium trace the page's main-thread tasks with their CPU time (thread
 * time, which a loaded machine stretches far less than wall time) and what in them
 * took it (module evaluation, layout, style, script).
 *
 *   bun scripts/profile-ui.ts --home <dir with projects/> [--url "/?runs=p:r"]
 *                             [--mark table|chart|charts] [--loads 2] [--keep-trace t.json]
 *                             [--viewport 1400x3200]
 *
 * The home is one that `bun scripts/bench-ui.ts --keep <dir>` built. Each load is a
 * fresh browser context (no HTTP cache), as in the benchmark; the first load is the
 * server's first answer to those requests.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { launch } from "../test/helpers/browser.ts";
import { startServer } from "./bench-home.ts";

const { values } = parseArgs({
  options: {
    home: { type: "string" },
    url: { type: "string", default: "/" },
    mark: { type: "string", default: "table" },
    loads: { type: "string", default: "2" },
    "keep-trace": { type: "string" },
    // bench-ui draws the 10 charts of `--mark charts` in a 1400x3200 viewport.
    viewport: { type: "string", default: "1400x1000" },
  },
});
if (!values.home) throw new Error("--home <dir> is required (a home built by bench-ui --keep)");
const MARK = values.mark as string;
const [WIDTH, HEIGHT] = (values.viewport as string).split("x").map(Number) as [number, number];

/** Notes when the view is in the DOM ("…Seen") and two frames later (painted). */
const PROBE = `
  window.__marks = {};
  const marks = window.__marks;
  const painted = (key) => requestAnimationFrame(() => requestAnimationFrame(() => { marks[key] = performance.now(); }));
  new MutationObserver(() => {
    if (!("tableSeen" in marks) && document.querySelector("table.runs-table tbody tr")) { marks.tableSeen = performance.now(); painted("table"); }
    if (!("chartSeen" in marks) && document.querySelector('figure.chart[data-points]:not([data-points="0"]) canvas')) { marks.chartSeen = performance.now(); painted("chart"); }
    if (!("chartsSeen" in marks) && document.querySelectorAll('figure.chart[data-series]:not([data-points="0"]) canvas').length >= 10) { marks.chartsSeen = performance.now(); painted("charts"); }
  }).observe(document, { subtree: true, childList: true, attributes: true });
`;

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
}

/** The renderer's main-thread tasks up to `until` ms after navigation, with their CPU time. */
function mainThread(file: string, until: number): void {
  const events = (JSON.parse(readFileSync(file, "utf8")) as { traceEvents: TraceEvent[] })
    .traceEvents;
  // The page's main thread: where its navigation started and its tasks ran.
  const start = events.find((event) => event.name === "navigationStart");
  const parse = events.find(
    (event) =>
      event.pid === start?.pid && (event.name === "ParseHTML" || event.name === "EvaluateScript"),
  );
  if (!parse || !start) {
    console.log("  (no renderer main thread in the trace)");
    return;
  }
  const main = events.filter(
    (event) => event.pid === parse.pid && event.tid === parse.tid && event.ph === "X",
  );
  const at = (event: TraceEvent) => (event.ts - start.ts) / 1000;
  let cpu = 0;
  for (const task of main) {
    if (task.name !== "RunTask" || at(task) > until) continue;
    const taskCpu = (task.tdur ?? 0) / 1000;
    cpu += taskCpu;
    if (taskCpu < 3) continue;
    const inside = new Map<string, number>();
    for (const event of main)
      if (
        event.ts >= task.ts &&
        event.ts < task.ts + (task.dur ?? 0) &&
        event !== task &&
        !event.name.startsWith("V8.") &&
        event.name !== "RunTask"
      )
        inside.set(event.name, (inside.get(event.name) ?? 0) + (event.tdur ?? 0) / 1000);
    const top = [...inside]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .filter(([, ms]) => ms >= 1)
      .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
      .join(", ");
    console.log(
      `  task @${at(task).toFixed(0).padStart(5)} ms: ${taskCpu.toFixed(1).padStart(6)} ms CPU (${((task.dur ?? 0) / 1000).toFixed(0)} ms wall)  ${top}`,
    );
  }
  console.log(`  main thread CPU until the mark: ${cpu.toFixed(0)} ms`);
}

const server = await startServer(join(values.home, "projects"));
const browser = await launch();
const scratch = mkdtempSync(join(tmpdir(), "goodseed-profile-"));
try {
  for (let load = 0; load < Number(values.loads); load++) {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT } });
    const page = await context.newPage();
    const traceFile = values["keep-trace"] ?? join(scratch, "trace.json");
    await browser.startTracing(page, {
      path: traceFile,
      categories: [
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "loading",
        "blink.user_timing",
      ],
    });
    await page.addInitScript(PROBE);
    const requests: { url: string; start: number; end: number; bytes: number; timing: string }[] =
      [];
    page.on("requestfinished", (request) => {
      const timing = request.timing();
      void Promise.all([
        request.sizes().catch(() => ({ responseBodySize: -1 })),
        request.headerValue("server-timing").catch(() => null),
      ]).then(([sizes, serverTiming]) =>
        requests.push({
          url: request.url().replace(server.base, ""),
          start: timing.startTime,
          end: timing.startTime + timing.responseEnd,
          bytes: sizes.responseBodySize,
          timing: (serverTiming as string | null) ?? "",
        }),
      );
    });
    await page.goto(`${server.base}${values.url}`);
    await page.waitForFunction(`"${MARK}" in window.__marks`, null, { timeout: 120_000 });
    const marks = (await page.evaluate(
      `({ ...window.__marks, origin: performance.timeOrigin, dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd })`,
    )) as Record<string, number>;
    await browser.stopTracing();
    const origin = marks.origin as number;
    console.log(
      `load ${load}: ${MARK} drawn at ${(marks[MARK] as number).toFixed(0)} ms (in the DOM at ${(marks[`${MARK}Seen`] as number).toFixed(0)}), DOMContentLoaded ${(marks.dcl as number).toFixed(0)} ms`,
    );
    for (const r of requests.sort((a, b) => a.start - b.start))
      console.log(
        `  ${(r.start - origin).toFixed(0).padStart(6)} → ${(r.end - origin).toFixed(0).padStart(6)} ms ${String(r.bytes).padStart(9)} B  ${r.url.slice(0, 100)} ${r.timing}`,
      );
    mainThread(traceFile, marks[MARK] as number);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
