/**
 * What requests can make `goodseed serve` hold in memory (issue 13, items 6 and 7):
 *
 *   bun scripts/bench-memory.ts [--filters 20000] [--points 1000000] [--streams 8]
 *
 * 1. `--filters` requests with a unique 1 KB `?project=` and as many `string_series`
 *    requests with a unique `?path=`: heap growth after a full GC, and what each
 *    cache reports (`cacheStats`).
 * 2. `--streams` concurrent `/metrics` requests without `path` on a run with a
 *    `--points`-point series: the heap each holds once it has sent its first piece
 *    (after a full GC), then the time to read them all to the end and the slowest
 *    `/api/projects` answered meanwhile.
 *
 * The app runs in this process (`app.handle`), so its heap is the one measured.
 */

import { heapStats } from "bun:jsc";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createFileApp } from "../src/cli/serve.ts";
import { cacheStats, closeApp } from "../src/server/app.ts";
import { buildHome } from "./bench-home.ts";

const { values } = parseArgs({
  options: {
    filters: { type: "string", default: "20000" },
    points: { type: "string", default: "1000000" },
    streams: { type: "string", default: "8" },
  },
});
const FILTERS = Number(values.filters);
const POINTS = Number(values.points);
const STREAMS = Number(values.streams);
const MIB = 2 ** 20;

function heapMib(): number {
  Bun.gc(true);
  return heapStats().heapSize / MIB;
}

const dir = mkdtempSync(join(tmpdir(), "goodseed-bench-memory-"));
try {
  buildHome(dir, { runs: 200, points: POINTS, strings: 1000 });
  const app = createFileApp({ projectsDir: join(dir, "projects") });
  /** Reads an answer piece by piece, as a client on a socket would, keeping only its size. */
  const get = async (target: string): Promise<number> => {
    const response = await app.handle(new Request(`http://localhost${target}`));
    let bytes = 0;
    for await (const chunk of response.body as ReadableStream<Uint8Array>) bytes += chunk.length;
    return bytes;
  };
  await get("/api/runs");
  await get("/api/runs/bench/big/huge/string_series?path=log/lines&limit=1");

  const before = heapMib();
  const filler = "x".repeat(1000);
  for (let i = 0; i < FILTERS; i++) {
    await get(`/api/runs?project=${filler}${i}`);
    await get(`/api/runs/bench/big/huge/string_series?path=${filler}${i}&limit=1`);
  }
  const after = heapMib();
  console.log(
    `${FILTERS} unique ?project= and ?path= values (1 KB each): heap ${before.toFixed(1)} -> ${after.toFixed(1)} MiB (+${(after - before).toFixed(1)})`,
  );
  for (const [name, stats] of Object.entries(cacheStats(app)))
    console.log(
      `  cache ${name.padEnd(9)} ${(stats.bytes / MIB).toFixed(2).padStart(8)} MiB of ${(stats.maxBytes / MIB).toFixed(0)} MiB, ${stats.entries} entries`,
    );

  // Memory held by open streams: each has sent its first piece; a full collection
  // leaves what they keep for the rest.
  const idle = heapMib();
  const readers = await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      const response = await app.handle(
        new Request("http://localhost/api/runs/bench/big/huge/metrics"),
      );
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      return { reader, bytes: first.value?.length ?? 0 };
    }),
  );
  const held = heapMib() - idle;
  let sampling = true;
  const slowest = { ms: 0 };
  const prober = (async () => {
    while (sampling) {
      const started = performance.now();
      await get("/api/projects");
      slowest.ms = Math.max(slowest.ms, performance.now() - started);
      await Bun.sleep(20);
    }
  })();
  const started = performance.now();
  const sizes = await Promise.all(
    readers.map(async ({ reader, bytes }) => {
      let total = bytes;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        total += chunk.value.length;
      return total;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await prober;
  console.log(
    `${STREAMS} concurrent /metrics without path, ${POINTS} points (${((sizes[0] ?? 0) / 1e6).toFixed(0)} MB) each: ${(held / STREAMS).toFixed(2)} MiB of heap held per open stream, all read in ${seconds.toFixed(1)} s, slowest /api/projects meanwhile ${slowest.ms.toFixed(0)} ms`,
  );
  await closeApp(app);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
