/**
 * The RunReads contract: a run's reads answer the same wherever the run lives. The
 * same cases run over a local file (open for writing, and read-only) and over the
 * remote API (a read-only cloud run).
 */

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { Run } from "../../src/index.ts";
import { startFakeRemoteProcess } from "../helpers/fake-remote.ts";
import { localRun } from "../helpers/runs.ts";
import { type TempDir, tempDir } from "../helpers/temp-dir.ts";

/** Writes the same content into any writable run. */
function fill(run: Run): void {
  run.set("cfg", { lr: 0.5, layers: 3, name: "résumé", tags: new Set(["a", "b"]) });
  for (let step = 0; step < 10; step++) run.log("loss", step * 2, { step });
  run.log("acc", 0.25, { step: 1.5 });
  run.log("notes", "first", { step: 0 });
  run.log("notes", "second ✓", { step: 1 });
  run.log("notes", "third", { step: 2 });
}

interface Subject {
  readonly name: string;
  open(): Promise<Run>;
}

let home: TempDir;
let fake: Awaited<ReturnType<typeof startFakeRemoteProcess>>;
const savedUrl = process.env.GOODSEED_API_URL;
let opened = 0;

beforeAll(async () => {
  home = tempDir();
  fake = await startFakeRemoteProcess();
  process.env.GOODSEED_API_URL = fake.url;
  const local = localRun(home.path, { project: "acme/vision", runId: "local" });
  fill(local);
  await local.close();
  const cloud = localRun(join(home.path, "cloud"), {
    project: "acme/vision",
    runId: "remote",
    storage: "cloud",
    apiKey: "test-key",
  });
  fill(cloud);
  await cloud.close();
});

afterAll(async () => {
  if (savedUrl === undefined) delete process.env.GOODSEED_API_URL;
  else process.env.GOODSEED_API_URL = savedUrl;
  await fake[Symbol.asyncDispose]();
  home[Symbol.dispose]();
});

const subjects: Subject[] = [
  {
    name: "an open local run",
    async open() {
      const run = localRun(home.path, { project: "acme/vision", runId: `open-${++opened}` });
      fill(run);
      return run;
    },
  },
  {
    name: "a read-only local run",
    async open() {
      return localRun(home.path, { project: "acme/vision", runId: "local", readOnly: true });
    },
  },
  {
    name: "a read-only cloud run (the remote API)",
    async open() {
      return localRun(join(home.path, "reader"), {
        project: "acme/vision",
        runId: "remote",
        readOnly: true,
        storage: "cloud",
        apiKey: "test-key",
      });
    },
  },
];

for (const subject of subjects) {
  describe(`RunReads over ${subject.name}`, () => {
    it("lists metric and string paths in byte order", async () => {
      await using run = await subject.open();
      expect(await run.getMetricPaths()).toEqual(["acc", "loss"]);
      expect(await run.getStringPaths()).toEqual(["notes"]);
    });

    it("returns a metric series' raw points in step order, fractional steps included", async () => {
      await using run = await subject.open();
      const loss = await run.getMetricData("loss");
      expect(loss.downsampled).toBe(false);
      expect(loss.downsampled ? [] : loss.rawPoints).toEqual(
        Array.from({ length: 10 }, (_, step) => ({ step, y: step * 2 })),
      );
      const acc = await run.getMetricData("acc");
      expect(acc.downsampled ? [] : acc.rawPoints).toEqual([{ step: 1.5, y: 0.25 }]);
    });

    it("pages a string series with limit and offset", async () => {
      await using run = await subject.open();
      const all = await run.getStringData("notes");
      expect(all.map((point) => [point.step, point.value])).toEqual([
        [0, "first"],
        [1, "second ✓"],
        [2, "third"],
      ]);
      const page = await run.getStringData("notes", { limit: 1, offset: 1 });
      expect(page.map((point) => point.value)).toEqual(["second ✓"]);
    });

    it("returns typed configs", async () => {
      await using run = await subject.open();
      const configs = new Map((await run.getConfigs()).map((config) => [config.path, config]));
      expect(configs.get("cfg/lr")).toMatchObject({ typeTag: "float", value: 0.5 });
      expect(configs.get("cfg/layers")).toMatchObject({ typeTag: "int", value: 3 });
      expect(configs.get("cfg/name")).toMatchObject({ typeTag: "str", value: "résumé" });
      expect(configs.get("cfg/tags")?.value).toEqual(new Set(["a", "b"]));
    });

    it("answers get and exists for configs, metrics, strings and missing paths", async () => {
      await using run = await subject.open();
      expect(run.get("cfg/lr")).toBe(0.5);
      expect(run.get("cfg/tags")).toEqual(new Set(["a", "b"]));
      expect(run.get("loss")).toBe(18);
      expect(run.get("notes")).toBe("third");
      expect(run.get("missing")).toBeUndefined();
      expect(run.exists("cfg/name")).toBe(true);
      expect(run.exists("acc")).toBe(true);
      expect(run.exists("notes")).toBe(true);
      expect(run.exists("missing")).toBe(false);
    });
  });
}
