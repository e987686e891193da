import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import type { GoodseedApp } from "../../src/server/app.ts";
import { localRun } from "../helpers/runs.ts";
import { spawnScript } from "../helpers/scripts.ts";
import { appFor, request } from "../helpers/server.ts";
import { compatHome, tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

const OWN = "http://localhost";

async function edit(
  app: GoodseedApp,
  body: unknown,
  headers: Record<string, string> = { origin: OWN, "content-type": "application/json" },
) {
  const response = await app.handle(
    new Request(`${OWN}/api/run-edits`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function configRow(file: string, path: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .query<{ type_tag: string; value: string; uploaded: number }, [string]>(
        "SELECT type_tag, value, uploaded FROM configs WHERE path = ?",
      )
      .get(path);
  } finally {
    db.close();
  }
}

describe("POST /api/run-edits", () => {
  it("refuses a foreign Origin, a missing Origin and a text/plain body, and writes nothing", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const body = { runs: [{ project: "default", run_id: "tagged-2c9d" }], trashed: true };
    const foreign = await edit(app, body, {
      origin: "http://evil.example",
      "content-type": "application/json",
    });
    expect(foreign.status).toBe(403);
    expect(String(foreign.body.error)).toContain("http://evil.example");
    // Another page on this machine is still another origin: only the server's own page writes.
    const neighbour = await edit(app, body, {
      origin: "http://localhost:3000",
      "content-type": "application/json",
    });
    expect(neighbour.status).toBe(403);
    expect(String(neighbour.body.error)).toContain("not from http://localhost:3000");
    const none = await edit(app, body, { "content-type": "application/json" });
    expect(none.status).toBe(403);
    const plain = await edit(app, JSON.stringify(body), {
      origin: OWN,
      "content-type": "text/plain",
    });
    expect([403, 415]).toContain(plain.status);
    expect(String(plain.body.error)).toContain("application/json");
    const runs = await request(app, "/api/runs?project=default");
    const tagged = runs.body.runs.find((run: { run_id: string }) => run.run_id === "tagged-2c9d");
    expect(tagged.trashed).toBe(false);
  });

  it("renames, describes and tags a Python-written run as the writer would", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const file = join(compat.projects, "default/runs/tagged-2c9d.sqlite");
    const before = (await request(app, "/api/runs/default/tagged-2c9d/configs")).body.configs;
    const result = await edit(app, {
      runs: [{ project: "default", run_id: "tagged-2c9d" }],
      name: "Renamed run",
      description: "from the UI",
      add_tags: ["best", "  Alpha "],
      remove_tags: ["aug"],
    });
    expect(result.status).toBe(200);
    expect(result.body.results).toEqual([{ project: "default", run_id: "tagged-2c9d", ok: true }]);
    const configs = (await request(app, "/api/runs/default/tagged-2c9d/configs")).body.configs;
    expect(configs["sys/name"]).toBe("Renamed run");
    expect(configs["sys/description"]).toBe("from the UI");
    const expected = [...before["sys/tags"].filter((tag: string) => tag !== "aug"), "best"];
    expect([...configs["sys/tags"]].sort()).toEqual([...new Set(expected)].sort());
    // Stored as the Python client stores a set: sorted by code point, not yet uploaded.
    const row = configRow(file, "sys/tags");
    expect(row?.type_tag).toBe("string_set");
    expect(row?.uploaded).toBe(0);
    expect(JSON.parse(row?.value ?? "[]")).toEqual(
      [...new Set(expected)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    // The run list shows the new name too (run_meta `name`, which the Python client leaves stale).
    const runs = await request(app, "/api/runs?project=default");
    const run = runs.body.runs.find((r: { run_id: string }) => r.run_id === "tagged-2c9d");
    expect(run.experiment_name).toBe("Renamed run");
  });

  it("trashes and restores several runs at once, and refuses what it cannot write", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const runs = [
      { project: "default", run_id: "tagged-2c9d" },
      { project: "acme/vision", run_id: "crash-5e1b" },
      { project: "default", run_id: "no-such-run" },
    ];
    const trashed = await edit(app, { runs, trashed: true });
    expect(trashed.status).toBe(200);
    expect((trashed.body.results as { ok: boolean }[]).map((r) => r.ok)).toEqual([
      true,
      true,
      false,
    ]);
    const list = async () =>
      (await request(app, "/api/runs")).body.runs
        .filter((run: { trashed: boolean }) => run.trashed)
        .map((run: { run_id: string }) => run.run_id)
        .sort();
    expect(await list()).toEqual(["crash-5e1b", "tagged-2c9d"]);
    expect((await edit(app, { runs: runs.slice(0, 2), trashed: false })).status).toBe(200);
    expect(await list()).toEqual([]);
    const missing = await edit(app, { runs: runs.slice(2), trashed: true });
    expect(missing.status).toBe(404);
    expect((await edit(app, { runs: "x", trashed: true })).status).toBe(400);
    expect((await edit(app, { runs: runs.slice(0, 1) })).status).toBe(400);
    const twoNames = await edit(app, { runs: runs.slice(0, 2), name: "x" });
    expect(twoNames.status).toBe(400);
    // A body that is no JSON, a blank name, a blank tag: 400, nothing written.
    const notJson = await edit(app, "not json");
    expect(notJson.status).toBe(400);
    expect(String(notJson.body.error)).toContain("JSON");
    for (const name of ["", "   "]) {
      const blank = await edit(app, { runs: runs.slice(0, 1), name });
      expect(blank.status).toBe(400);
      expect(String(blank.body.error)).toContain("must not be empty");
    }
    expect((await edit(app, { runs: runs.slice(0, 1), add_tags: ["  "] })).status).toBe(400);
    const badName = await edit(app, { runs: runs.slice(0, 1), name: "a\u202eb" });
    expect(badName.status).toBe(400);
    expect(String(badName.body.error)).toContain("bidirectional");
    const outside = await edit(app, { runs: [{ project: "../..", run_id: "x" }], trashed: true });
    expect(outside.status).toBe(404);
  });

  it("refuses to rename a run that a live process is writing, trashes it, and edits it once the process is gone", async () => {
    await using dir = tempDir("goodseed-edits-");
    const home = join(dir.path, "home");
    const writer = spawnScript(
      `const run = new Run({ project: "live", runId: "held", tags: ["a"], captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
let step = 0;
setInterval(() => run.log("loss", 1 / ++step, { step }), 50);
setTimeout(() => process.exit(0), 60000);`,
      { home },
    );
    try {
      const file = join(home, "projects/live/runs/held.sqlite");
      await using app = appFor(join(home, "projects"));
      await waitFor(async () => {
        const runs = (await request(app, "/api/runs")).body?.runs ?? [];
        return runs.some((run: { metric_paths: string[] }) => run.metric_paths.includes("loss"));
      }, "the live run's first points");
      const ref = { project: "live", run_id: "held" };
      const refused = await edit(app, { runs: [ref], add_tags: ["b"], name: "new" });
      expect(refused.status).toBe(409);
      const [result] = refused.body.results as { error: string }[];
      expect(result?.error).toContain("still being written");
      expect(result?.error).toContain(`process ${writer.pid}`);
      expect(configRow(file, "sys/tags")?.value).toBe('["a"]');
      expect((await edit(app, { runs: [ref], trashed: true })).status).toBe(200);
      writer.kill("SIGKILL");
      await writer.exited;
      const written = await edit(app, { runs: [ref], add_tags: ["b"] });
      expect(written.status).toBe(200);
      expect(configRow(file, "sys/tags")?.value).toBe('["a", "b"]');
      // A process that resumes the run sees the edit: its own change adds to it, not over it.
      const resumed = localRun(home, { project: "live", resumeRunId: "held" });
      resumed.add("sys/tags", "c");
      await resumed.close();
      expect(configRow(file, "sys/tags")?.value).toBe('["a", "b", "c"]');
    } finally {
      writer.kill();
      await writer.exited;
      writer.cleanup();
    }
  }, 30_000);
});
