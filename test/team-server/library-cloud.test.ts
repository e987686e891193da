/**
 * Our library in cloud mode against the team server: a run logs every value kind
 * (configs of each type, fractional steps, NaN and ±Infinity, -0, strings with U+0000
 * and CR, tags), closes (draining its upload), and the team server then answers the
 * JSON API byte for byte as `goodseed serve` answers on the run's local file. A
 * read-only cloud run then reads it back through the remote read calls.
 */

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { FileReadStore } from "../../src/catalog/file-read-store.ts";
import { closeApp, createApp } from "../../src/server/app.ts";
import { runScript } from "../helpers/scripts.ts";
import { BACKENDS, keyFor, teamServer, useTeamServers } from "../helpers/team-server.ts";
import { tempDir } from "../helpers/temp-dir.ts";

useTeamServers();

const WRITER = `
const run = new Run({ project: "acme/lib", runId: "lib-1", name: "Library run — ü", storage: "cloud",
  captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: false, tags: ["b", "a"] });
run.set("params", { lr: 0.001, layers: 12, name: "resnet", flag: true, nothing: null, tiny: 1e-300, neg: -0, list: [1, "two"] });
run.set("when", new Date("2024-02-29T23:59:58.123Z"));
run.set("big", 2n ** 70n);
run.log("frac/step", 1, { step: 1.25 });
run.log("frac/step", 2, { step: 1.75 });
run.log("frac/step", 3, { step: -1.5 });
run.log("special", Number.NaN, { step: 0 });
run.log("special", Number.POSITIVE_INFINITY, { step: 1 });
run.log("special", Number.NEGATIVE_INFINITY, { step: 2 });
run.log("special", -0, { step: 3 });
for (let i = 0; i < 3000; i++) run.logMetrics({ "train/loss": 1 / (i + 1), "métriques/λ": i * 0.1 }, { step: i });
run.log("train/loss", 42, { step: 7 });
run.log("notes", "a\\u0000b\\r\\nline two", { step: 0 });
for (let i = 0; i < 50; i++) run.log("log/lines", "line " + i + "\\t\\"quoted\\" \\\\", { step: i });
run.add("sys/tags", ["c"]);
await run.close("failed");
console.log(run.file);
`;

const READER = `
const run = new Run({ project: "acme/lib", runId: "lib-1", storage: "cloud", readOnly: true, goodseedHome: process.env.GOODSEED_HOME });
const data = await run.getMetricData("special");
const strings = await run.getStringData("notes");
console.log(JSON.stringify({
  metricPaths: await run.getMetricPaths(),
  stringPaths: await run.getStringPaths(),
  special: data.rawPoints?.map((p) => [p.step, String(p.y)]),
  notes: strings.map((p) => p.value),
  lr: run.get("params/lr"),
  tagsExist: run.exists("sys/tags"),
}));
await run.close();
`;

for (const backend of BACKENDS) {
  describe(`the library in cloud mode (${backend})`, () => {
    it("uploads every value kind, and the server answers as goodseed serve does on the file", async () => {
      await using team = await teamServer(backend);
      const key = await keyFor(team.databaseUrl, ["acme"]);
      await using home = tempDir();
      const env = { GOODSEED_API_URL: team.base, GOODSEED_API_KEY: key };
      const written = await runScript(WRITER, { home: home.path, env, timeoutMs: 60_000 });
      expect({ code: written.exitCode, stderr: written.stderr }).toEqual({ code: 0, stderr: "" });

      const local = createApp({
        store: new FileReadStore({ projectsDir: join(home.path, "projects") }),
      });
      const run = "/api/runs/acme/lib/lib-1";
      const targets = [
        `${run}/configs`,
        `${run}/metrics`,
        `${run}/metric-paths`,
        `${run}/metrics?path=frac/step`,
        `${run}/metrics?path=special`,
        `${run}/metrics?path=train/loss&pointCount=100`,
        `${run}/metrics?path=m%C3%A9triques/%CE%BB&pointCount=37&firstPointIndex=10`,
        `${run}/string_series`,
        `${run}/string_series?path=log/lines&tail=5`,
        `${run}/string_series?path=notes`,
      ];
      for (const target of targets) {
        const ours = await (
          await fetch(`${team.base}${target}`, { headers: { authorization: `Bearer ${key}` } })
        ).text();
        const theirs = await (await local.handle(new Request(`http://localhost${target}`))).text();
        expect({ target, body: ours }).toEqual({ target, body: theirs });
      }
      const ourList = JSON.parse(
        await (
          await fetch(`${team.base}/api/runs`, { headers: { authorization: `Bearer ${key}` } })
        ).text(),
      );
      const theirList = JSON.parse(
        await (await local.handle(new Request("http://localhost/api/runs"))).text(),
      );
      await closeApp(local);
      // created_at is the server's clock: the registration comes before the file exists.
      for (const list of [ourList, theirList])
        for (const entry of list.runs) delete entry.created_at;
      expect(ourList).toEqual(theirList);
      expect(ourList.runs[0]).toMatchObject({
        status: "failed",
        experiment_name: "Library run — ü",
      });

      await using readerHome = tempDir();
      const read = await runScript(READER, { home: readerHome.path, env, timeoutMs: 60_000 });
      expect(read.stderr).toBe("");
      expect(JSON.parse(read.stdout)).toEqual({
        metricPaths: ["frac/step", "métriques/λ", "special", "train/loss"],
        stringPaths: ["log/lines", "notes"],
        special: [
          [0, "NaN"],
          [1, "Infinity"],
          [2, "-Infinity"],
          [3, "0"],
        ],
        notes: ["a\u0000b\r\nline two"],
        lr: 0.001,
        tagsExist: true,
      });
    }, 180_000);
  });
}
