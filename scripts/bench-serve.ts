/**
 * Speed of `goodseed serve` on a large home: 5,000 small runs and one run with a
 * 1,000,000-point metric series and 100,000 string entries.
 *
 *   bun scripts/bench-serve.ts [--runs 5000] [--points 1000000] [--keep <dir>]
 *
 * The server runs as its own process (`bin/goodseed.ts serve`), the requests come
 * from this one over loopback. Prints median latencies (first request and repeated)
 * and requests/s with 8 concurrent clients.
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildHome, median, startServer } from "./bench-home.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5000" },
    points: { type: "string", default: "1000000" },
    strings: { type: "string", default: "100000" },
    keep: { type: "string" },
  },
});
const RUNS = Number(values.runs);
const POINTS = Number(values.points);
const STRINGS = Number(values.strings);

async function timed(
  url: string,
): Promise<{ ms: number; bytes: number; status: number; source: string }> {
  const start = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  // Where the server found a metric series (Server-Timing): memory, pages, sqlite.
  const source = /desc="([^"]+)"/.exec(response.headers.get("server-timing") ?? "")?.[1] ?? "";
  return { ms: performance.now() - start, bytes: body.byteLength, status: response.status, source };
}

async function measure(label: string, url: string, repeats: number): Promise<void> {
  const first = await timed(url);
  if (first.status !== 200) throw new Error(`${label}: HTTP ${first.status}`);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push((await timed(url)).ms);
  console.log(
    `${label.padEnd(44)} first ${first.ms.toFixed(1).padStart(8)} ms   repeated median ${median(times).toFixed(1).padStart(7)} ms   (${(first.bytes / 1024).toFixed(0)} KiB${first.source ? `, series from ${first.source}` : ""})`,
  );
}

async function throughput(
  label: string,
  url: string,
  clients: number,
  seconds: number,
): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const response = await fetch(url);
        await response.arrayBuffer();
        done++;
      }
    }),
  );
  console.log(
    `${label.padEnd(44)} ${(done / seconds).toFixed(0)} requests/s with ${clients} concurrent clients`,
  );
}

const dir = values.keep
  ? resolve(values.keep)
  : mkdtempSync(join(tmpdir(), "goodseed-bench-serve-"));
try {
  if (!existsSync(join(dir, "projects"))) {
    const started = performance.now();
    buildHome(dir, { runs: RUNS, points: POINTS, strings: STRINGS });
    // The kernel's writeback of the files just written is not the server's to pay for.
    Bun.spawnSync(["sync"]);
    console.log(
      `built ${RUNS} runs and a ${POINTS.toLocaleString("en-US")}-point run in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const { base, stop } = await startServer(join(dir, "projects"));
  try {
    const big = `${base}/api/runs/bench/big/huge`;
    await measure("/api/runs (5,000+ runs)", `${base}/api/runs`, 20);
    await measure("/api/projects", `${base}/api/projects`, 20);
    await measure("/api/runs?project=bench/group-3", `${base}/api/runs?project=bench/group-3`, 20);
    await throughput("/api/runs", `${base}/api/runs`, 8, 3);
    await throughput("/api/projects", `${base}/api/projects`, 8, 3);
    // Downsampled first: the full fetch would leave the series in the server's cache.
    await measure("metrics, pointCount=1000", `${big}/metrics?path=train/loss&pointCount=1000`, 20);
    await measure(
      "metrics, 100,000-point window, pointCount=1000",
      `${big}/metrics?path=train/loss&pointCount=1000&firstPointIndex=450000&lastPointIndex=549999`,
      20,
    );
    await measure("metrics, full 1,000,000 points", `${big}/metrics?path=train/loss`, 3);
    await measure(
      "string_series?tail=20 (100,000 entries)",
      `${big}/string_series?path=log/lines&tail=20`,
      20,
    );
  } finally {
    await stop();
  }
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
