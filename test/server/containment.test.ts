/**
 * What the local API does with odd things on disk and odd requests: symlinks that
 * leave the served directory, names the file system refuses, files a SIGKILL left
 * empty, and paging values past any integer.
 */

import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { appFor, request } from "../helpers/server.ts";
import { compatHome, tempDir } from "../helpers/temp-dir.ts";

/** A finished run `project/runId` under `home`, with one point. */
async function writeRun(home: string, project: string, runId: string): Promise<string> {
  const run = localRun(home, { project, runId });
  run.log("m", 1, { step: 0 });
  await run.close();
  return join(home, "projects", project, "runs", `${runId}.sqlite`);
}

describe("the served directory's bounds", () => {
  it("neither lists, reads nor trashes a run through a symlink that leaves the served directory", async () => {
    await using dir = tempDir();
    const outsideHome = join(dir.path, "outside");
    const secretFile = await writeRun(outsideHome, "secret", "hidden");
    const served = join(dir.path, "served");
    await writeRun(served, "p", "ok");
    const projects = join(served, "projects");
    // A run file that is a link to a run elsewhere, and a project directory that is one.
    symlinkSync(secretFile, join(projects, "p/runs/linked.sqlite"));
    symlinkSync(join(outsideHome, "projects/secret"), join(projects, "linkdir"));
    // A link that stays inside the served directory is still served.
    symlinkSync(join(projects, "p/runs/ok.sqlite"), join(projects, "p/runs/alias.sqlite"));
    const before = readFileSync(secretFile);

    const warnings: string[] = [];
    await using app = appFor(projects, warnings);
    const runs = await request(app, "/api/runs");
    expect(runs.body.runs.map((r: { run_id: string }) => r.run_id).sort()).toEqual(["ok", "ok"]);
    const projectList = await request(app, "/api/projects");
    expect(projectList.body.projects).toEqual([
      { name: "p", run_count: 2, last_modified: expect.any(String) },
    ]);
    for (const target of [
      "/api/runs/p/linked/configs",
      "/api/runs/p/linked/metrics?path=m",
      "/api/runs/linkdir/hidden/configs",
    ]) {
      const result = await request(app, target);
      expect({ target, status: result.status }).toEqual({ target, status: 404 });
    }
    for (const target of ["/api/runs/p/linked/trash", "/api/runs/linkdir/hidden/trash"]) {
      expect((await request(app, target, "POST")).status).toBe(404);
    }
    expect(readFileSync(secretFile).equals(before)).toBe(true);
    const db = new Database(secretFile, { readonly: true });
    expect(db.query("SELECT value FROM run_meta WHERE key = 'trashed'").get()).toBeNull();
    db.close();
    expect((await request(app, "/api/runs/p/alias/configs")).status).toBe(200);
  });

  it("never names a file's absolute path in an error, and answers names the file system refuses with 404", async () => {
    await using compat = compatHome();
    const runs = join(compat.projects, "default/runs");
    symlinkSync("loop.sqlite", join(runs, "loop.sqlite"));
    writeFileSync(join(runs, "plain.sqlite"), "not a database, not even close ".repeat(200));
    await using app = appFor(compat.projects);
    const long = "a".repeat(300);
    const cases: [string, string, number][] = [
      [`/api/runs/default/${long}/configs`, "GET", 404],
      [`/api/runs/${long}/x/configs`, "GET", 404],
      ["/api/runs/default/loop/configs", "GET", 404],
      ["/api/runs/default/loop/trash", "POST", 404],
      ["/api/runs/default/runs/plain.sqlite/x/configs", "GET", 404],
      ["/api/runs/default/plain/configs", "GET", 500],
      ["/api/projects", "GET", 200],
      ["/api/runs", "GET", 200],
    ];
    for (const [target, method, status] of cases) {
      const result = await request(app, target, method);
      expect({ target, status: result.status }).toEqual({ target, status });
      expect(result.text).not.toContain(compat.projects);
      expect(result.text).not.toContain(compat.path);
    }
  });
});

describe("files a SIGKILL left empty", () => {
  it("are in neither list, and their routes answer 404 without writing to them", async () => {
    await using dir = tempDir();
    await writeRun(dir.path, "p", "good");
    const runs = join(dir.path, "projects/p/runs");
    writeFileSync(join(runs, "empty.sqlite"), "");
    mkdirSync(join(dir.path, "projects/only-empty/runs"), { recursive: true });
    writeFileSync(join(dir.path, "projects/only-empty/runs/early.sqlite"), "");
    await using app = appFor(join(dir.path, "projects"));
    const projects = await request(app, "/api/projects");
    expect(projects.body.projects).toEqual([
      { name: "p", run_count: 1, last_modified: expect.any(String) },
    ]);
    const list = await request(app, "/api/runs");
    expect(list.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(["good"]);
    expect((await request(app, "/api/runs?project=only-empty")).body).toEqual({ runs: [] });
    for (const endpoint of ["configs", "metrics", "metric-paths", "string_series"]) {
      const result = await request(app, `/api/runs/p/empty/${endpoint}`);
      expect({ endpoint, status: result.status, body: result.body }).toEqual({
        endpoint,
        status: 404,
        body: { error: "Run not found: p/empty" },
      });
    }
    expect((await request(app, "/api/runs/p/empty/trash", "POST")).status).toBe(404);
    expect(readFileSync(join(runs, "empty.sqlite")).length).toBe(0);
  });
});

describe("paging values past any integer", () => {
  it("are read as SQLite reads an over-long LIMIT, never as a 500", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const base = "/api/runs/acme/vision/sweep-large-88/string_series?path=log/lines";
    const huge = "99999999999999999999";
    const steps = async (query: string) => {
      const result = await request(app, `${base}&${query}`);
      expect({ query, status: result.status }).toEqual({ query, status: 200 });
      expect(result.body.total).toBe(500);
      return result.body.string_series.map((s: { step: number }) => s.step) as number[];
    };
    expect(await steps(`limit=${huge}`)).toHaveLength(500);
    expect(await steps(`limit=-${huge}`)).toHaveLength(500);
    expect(await steps(`limit=2&offset=${huge}`)).toEqual([]);
    expect(await steps(`limit=2&offset=-${huge}`)).toEqual([0, 1]);
    expect(await steps(`tail=${huge}`)).toHaveLength(500);
    expect(await steps(`limit=${huge}&offset=498`)).toEqual([498, 499]);
    const all = await request(
      app,
      `/api/runs/acme/vision/sweep-large-88/string_series?limit=${huge}&offset=${huge}`,
    );
    expect(all.status).toBe(200);
    const ds = await request(
      app,
      `/api/runs/acme/vision/sweep-large-88/metrics?path=train/loss&pointCount=${huge}&firstPointIndex=-${huge}&lastPointIndex=${huge}`,
    );
    expect(ds.status).toBe(200);
    expect(ds.body).toMatchObject({ totalCount: 20_000, downsampled: false });
    expect(ds.body.points).toHaveLength(20_000);
  });
});
