/** Large JSON answers go gzipped to clients that take gzip, and as they were to others. */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { buildHome } from "../../scripts/bench-home.ts";
import { acceptsGzip } from "../../src/server/compression.ts";
import { localRun } from "../helpers/runs.ts";
import { appFor } from "../helpers/server.ts";
import { tempDir } from "../helpers/temp-dir.ts";

describe("acceptsGzip", () => {
  it("reads Accept-Encoding as browsers and clients send it", () => {
    const accepts = (header?: string) =>
      acceptsGzip(
        new Request(
          "http://localhost/",
          header === undefined ? {} : { headers: { "accept-encoding": header } },
        ),
      );
    expect(accepts("gzip, deflate, br, zstd")).toBe(true);
    expect(accepts("GZIP;q=0.5")).toBe(true);
    expect(accepts("deflate, gzip;q=0")).toBe(false);
    expect(accepts("br")).toBe(false);
    expect(accepts("identity")).toBe(false);
    expect(accepts()).toBe(false);
  });
});

describe("compressed answers", () => {
  it("gzips a long answer for a client that takes gzip, with the same text inside", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p", runId: "long" });
    for (let step = 0; step < 3000; step++) run.log("train/loss", 1 / (step + 1), { step });
    await run.close();
    await using app = appFor(join(dir.path, "projects"));
    const get = (target: string, encoding?: string) =>
      app.handle(
        new Request(`http://localhost${target}`, {
          headers: encoding ? { "accept-encoding": encoding } : {},
        }),
      );
    for (const target of [
      "/api/series?run=p%2Flong&path=train%2Floss&pointCount=3000",
      "/api/runs/p/long/metrics?path=train%2Floss&pointCount=3000",
    ]) {
      const plain = await get(target);
      expect(plain.headers.get("content-encoding")).toBeNull();
      expect(plain.headers.get("vary")).toBe("Origin");
      const text = await plain.text();
      expect(text.length).toBeGreaterThan(16 * 1024);
      const zipped = await get(target, "gzip, deflate");
      expect(zipped.status).toBe(200);
      expect(zipped.headers.get("content-encoding")).toBe("gzip");
      expect(zipped.headers.get("vary")).toBe("Origin, Accept-Encoding");
      expect(zipped.headers.get("content-type")).toBe("application/json");
      const bytes = new Uint8Array(await zipped.arrayBuffer());
      expect(bytes.byteLength).toBeLessThan(text.length / 3);
      expect(gunzipSync(bytes).toString("utf8")).toBe(text);
    }
    // A short answer goes as it is, whatever the client takes.
    const short = await get("/api/runs", "gzip");
    expect(short.headers.get("content-encoding")).toBeNull();
    expect(((await short.json()) as { runs: unknown[] }).runs).toHaveLength(1);
  });

  it("keeps a long run list gzipped with its text, both current with the runs", async () => {
    await using dir = tempDir();
    buildHome(dir.path, { runs: 120, points: 10, strings: 1 });
    await using app = appFor(join(dir.path, "projects"));
    const get = (encoding?: string) =>
      app.handle(
        new Request("http://localhost/api/runs", {
          headers: encoding ? { "accept-encoding": encoding } : {},
        }),
      );
    const text = await (await get()).text();
    expect(text.length).toBeGreaterThan(16 * 1024);
    for (let i = 0; i < 2; i++) {
      const zipped = await get("gzip");
      expect(zipped.headers.get("content-encoding")).toBe("gzip");
      expect(gunzipSync(new Uint8Array(await zipped.arrayBuffer())).toString("utf8")).toBe(text);
    }
    const plain = await get();
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(text);
    expect(JSON.parse(text).runs).toHaveLength(121);
  });
});
