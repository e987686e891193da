/**
 * The contract of the storage seam: the same cases against any `ReadStore`. Each
 * implementation's test calls {@link readStoreContract} with a factory that gives a
 * store holding the Python client's runs of `test/fixtures/compat/home/projects`
 * (the file catalog serves the directory; a database imports those runs first).
 * Expected answers are those the Python server recorded (`requests.json`).
 */

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ReadStore } from "../../src/api/read-store.ts";
import { createApp } from "../../src/server/app.ts";
import { compatHome, FIXTURES } from "../helpers/temp-dir.ts";

/** A store over a scratch copy of the compat runs at `projectsDir`. */
export type StoreFactory = (projectsDir: string) => Promise<ReadStore>;

interface Recorded {
  readonly url: string;
  readonly method: string;
  readonly expected: { readonly status: number; readonly body?: unknown };
}

const recorded: Recorded[] = JSON.parse(
  readFileSync(join(FIXTURES, "requests.json"), "utf8"),
).requests;

/** The Python server's answer to the first GET of `url`. */
function python(url: string): Record<string, unknown> {
  const found = recorded.find((entry) => entry.method === "GET" && entry.url === url);
  if (!found) throw new Error(`no recorded request ${url}`);
  return found.expected.body as Record<string, unknown>;
}

async function withStore<T>(factory: StoreFactory, body: (store: ReadStore) => Promise<T>) {
  await using compat = compatHome();
  const store = await factory(compat.projects);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

export function readStoreContract(name: string, factory: StoreFactory): void {
  describe(`ReadStore contract: ${name}`, () => {
    it("lists the projects with their run counts", async () => {
      await withStore(factory, async (store) => {
        const { value } = await store.projects();
        const expected = python("/api/projects").projects as { name: string; run_count: number }[];
        const counts = (list: readonly { name: string; run_count: number }[]) =>
          Object.fromEntries(list.map((project) => [project.name, project.run_count]));
        expect(counts(value)).toEqual(counts(expected));
        for (const project of value) expect(project.last_modified).toMatch(/\+00:00$/);
      });
    });

    it("lists runs with their summaries, newest first, per project and in all", async () => {
      await withStore(factory, async (store) => {
        expect((await store.runs("acme/vision")).value).toEqual(
          python("/api/runs?project=acme/vision").runs as never,
        );
        expect((await store.runs(undefined)).value).toEqual(python("/api/runs").runs as never);
        expect((await store.runs("no-such-project")).value).toEqual([]);
      });
    });

    it("finds a run by project and id, and no run for unknown or escaping names", async () => {
      await withStore(factory, async (store) => {
        const run = await store.run("acme/vision", "matrix-7f3a");
        expect(run).toMatchObject({ project: "acme/vision", runId: "matrix-7f3a" });
        expect(typeof run?.version).toBe("string");
        for (const [project, runId] of [
          ["acme/vision", "no-such-run"],
          ["acme/../acme/vision", "matrix-7f3a"],
          ["..", "matrix-7f3a"],
          ["/etc", "passwd"],
          ["acme/vision", ".."],
        ] as const)
          expect(await store.run(project, runId)).toBeUndefined();
      });
    });

    it("reads configs in their order, metric paths in byte order", async () => {
      await withStore(factory, async (store) => {
        const run = await store.run("acme/vision", "matrix-7f3a");
        if (!run) throw new Error("run missing");
        const configs = await store.configs(run);
        const expected = python("/api/runs/acme/vision/matrix-7f3a/configs").configs as Record<
          string,
          unknown
        >;
        expect([...configs.keys()]).toEqual(Object.keys(expected));
        expect(configs.get("cfg/int_beyond_2_53")).toBe(9223372036854775885n);
        expect(configs.get("cfg/bool_true")).toBe(true);
        expect(await store.metricPaths(run)).toEqual(
          python("/api/runs/acme/vision/matrix-7f3a/metric-paths").paths as never,
        );
      });
    });

    it("answers /api/configs for many runs entry for entry as the per-run /configs route", async () => {
      await withStore(factory, async (store) => {
        // The routes over this store, without a port (the store is closed by withStore).
        const app = createApp({ store });
        const get = async (target: string) => {
          const response = await app.handle(new Request(`http://localhost${target}`));
          return { status: response.status, text: await response.text() };
        };
        const runs = (await store.runs(undefined)).value;
        expect(runs.length).toBeGreaterThan(3);
        const keys = [...runs.map((run) => `${run.project}/${run.run_id}`), "default/gone"];
        const batch = await get(
          `/api/configs?${keys.map((key) => `run=${encodeURIComponent(key)}`).join("&")}`,
        );
        expect(batch.status).toBe(200);
        const entries = JSON.parse(batch.text).runs as Record<string, unknown>[];
        expect(entries).toHaveLength(keys.length);
        for (const [index, run] of runs.entries()) {
          const target = `/api/runs/${run.project.split("/").map(encodeURIComponent).join("/")}/${encodeURIComponent(run.run_id)}/configs`;
          const one = await get(target);
          expect(one.status).toBe(200);
          const { project, run_id, ...rest } = entries[index] as Record<string, unknown>;
          expect([project, run_id]).toEqual([run.project, run.run_id]);
          expect(rest).toEqual(JSON.parse(one.text));
          // The texts too (integers beyond 2^53, escapes), not only the parsed values.
          expect(batch.text).toContain(one.text.slice(1, -1));
        }
        const gone = await get("/api/runs/default/gone/configs");
        expect(gone.status).toBe(404);
        expect(entries[runs.length]).toEqual({
          project: "default",
          run_id: "gone",
          error: JSON.parse(gone.text).error,
        });
      });
    });

    it("gives a series' columns in step order, and every series by path", async () => {
      await withStore(factory, async (store) => {
        const run = await store.run("acme/vision", "sweep-large-88");
        if (!run) throw new Error("run missing");
        const expected = python("/api/runs/acme/vision/sweep-large-88/metrics?path=train/loss")
          .metrics as { step: number; value: number }[];
        const columns = await store.metricSeries(run, "train/loss");
        expect(columns?.length).toBe(expected.length);
        expect(Array.from(columns?.steps.subarray(0, 5) ?? [])).toEqual(
          expected.slice(0, 5).map((point) => point.step),
        );
        expect(columns?.ys[7]).toBe(expected[7]?.value as number);
        expect(await store.metricSeries(run, "no/such")).toBeUndefined();
        // A series may come in several consecutive pieces, whose steps keep rising.
        const all: string[] = [];
        const points = new Map<string, number>();
        let lastStep = Number.NEGATIVE_INFINITY;
        for await (const series of store.allMetrics(run)) {
          if (all[all.length - 1] !== series.path) {
            all.push(series.path);
            lastStep = Number.NEGATIVE_INFINITY;
          }
          const { steps, length } = series.columns;
          expect(length).toBeGreaterThan(0);
          expect(steps[0] as number).toBeGreaterThan(lastStep);
          lastStep = steps[length - 1] as number;
          points.set(series.path, (points.get(series.path) ?? 0) + length);
        }
        expect(all).toEqual([...(await store.metricPaths(run))]);
        expect(points.get("train/loss")).toBe(expected.length);
      });
    });

    it("pages string series by limit/offset and by tail, with the series' total", async () => {
      await withStore(factory, async (store) => {
        const run = await store.run("acme/vision", "sweep-large-88");
        if (!run) throw new Error("run missing");
        const tail = await store.stringPage(run, { path: "log/lines", tail: 20 });
        const expected = python(
          "/api/runs/acme/vision/sweep-large-88/string_series?path=log/lines&tail=20",
        );
        expect(tail.total).toBe(expected.total as number);
        expect(tail.rows.map((row) => row.value)).toEqual(
          (expected.string_series as { value: string }[]).map((entry) => entry.value),
        );
        const page = await store.stringPage(run, { path: "log/lines", limit: 25, offset: 490 });
        expect(page.rows.map((row) => row.step)).toEqual(
          (
            python(
              "/api/runs/acme/vision/sweep-large-88/string_series?path=log/lines&limit=25&offset=490",
            ).string_series as { step: number }[]
          ).map((entry) => entry.step),
        );
      });
    });

    it("judges the writer of a running run only, with the status the run list gives", async () => {
      await withStore(factory, async (store) => {
        const runs = (await store.runs(undefined)).value;
        expect(runs.some((run) => run.status === "running")).toBe(true);
        for (const run of runs) {
          const handle = await store.run(run.project, run.run_id);
          if (!handle) throw new Error(`no handle for ${run.run_id}`);
          const liveness = await store.liveness(handle);
          expect(liveness.status).toBe(run.status);
          if (run.status !== "running") expect(liveness.state).toBe("unknown");
          else expect(["live", "dead"]).toContain(liveness.state);
          expect(liveness.reason.length).toBeGreaterThan(0);
          if (liveness.state === "dead") expect(liveness.lastSignMs ?? 0).toBeLessThan(Date.now());
        }
      });
    });

    it("trashes and restores a run, which changes the list's version but not the project order", async () => {
      await withStore(factory, async (store) => {
        const before = await store.runs("acme/vision");
        const order = (await store.projects()).value.map((project) => project.name);
        const run = await store.run("acme/vision", "matrix-7f3a");
        if (!run) throw new Error("run missing");
        await store.setTrashed(run, true);
        const trashed = await store.runs("acme/vision");
        expect(trashed.version).not.toBe(before.version);
        expect(trashed.value.find((summary) => summary.run_id === "matrix-7f3a")?.trashed).toBe(
          true,
        );
        expect((await store.projects()).value.map((project) => project.name)).toEqual(order);
        const again = await store.run("acme/vision", "matrix-7f3a");
        if (!again) throw new Error("run missing");
        await store.setTrashed(again, false);
        expect(
          (await store.runs("acme/vision")).value.find(
            (summary) => summary.run_id === "matrix-7f3a",
          )?.trashed,
        ).toBe(false);
      });
    });
  });
}
