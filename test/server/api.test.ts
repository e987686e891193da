import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localRun } from "../helpers/runs.ts";
import { appFor, request } from "../helpers/server.ts";
import { compatHome, tempDir } from "../helpers/temp-dir.ts";

describe("the local API (app.handle)", () => {
  it("lists projects and runs in the peer's order, with every field", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const projects = await request(app, "/api/projects");
    expect(projects.status).toBe(200);
    expect(projects.headers.get("content-type")).toBe("application/json");
    expect(projects.headers.get("access-control-allow-origin")).toBe("*");
    expect(projects.body.projects.map((p: { name: string }) => p.name).sort()).toEqual([
      "acme/vision",
      "default",
    ]);
    expect(
      projects.body.projects.find((p: { name: string }) => p.name === "default").run_count,
    ).toBe(5);

    const runs = await request(app, "/api/runs");
    expect(runs.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([
      "ebony-heron-2",
      "ebony-heron",
      "resume-4d2e",
      "live-91aa",
      "sweep-large-88",
      "crash-5e1b",
      "tagged-2c9d",
      "matrix-7f3a",
    ]);
    const live = runs.body.runs.find((r: { run_id: string }) => r.run_id === "live-91aa");
    expect(live).toEqual({
      project: "default",
      run_id: "live-91aa",
      experiment_name: "Still running Alpha",
      created_at: "2026-11-26T18:14:36.071209+00:00",
      closed_at: null,
      status: "running",
      trashed: false,
      string_series_paths: [
        "live/status",
        "monitoring/ecdb7677/stderr",
        "monitoring/ecdb7677/stdout",
      ],
      metric_paths: ["train/acc", "train/loss"],
    });
    const filtered = await request(app, "/api/runs?project=acme%2Fvision");
    expect(filtered.body.runs).toHaveLength(3);
    expect((await request(app, "/api/runs?project=nope")).body).toEqual({ runs: [] });
  });

  it("returns configs typed: exact big integers, string sets as arrays, datetimes as text, NaN as a string", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const matrix = await request(app, "/api/runs/acme/vision/matrix-7f3a/configs");
    expect(matrix.text).toContain('"cfg/int_beyond_2_53": 9223372036854775885');
    expect(matrix.body.configs["cfg/float_nan"]).toBe("NaN");
    expect(matrix.body.configs["cfg/float_neg_inf"]).toBe("-Infinity");
    expect(Object.keys(matrix.body.configs).slice(-2)).toEqual(["sys/state", "sys/closed_time"]);
    const tagged = await request(app, "/api/runs/default/tagged-2c9d/configs");
    expect(tagged.status).toBe(200);
    expect(tagged.body.configs["sys/tags"]).toEqual([
      "Alpha",
      "Zeta",
      "aug",
      "gpu",
      "resnet",
      "résumé",
    ]);
    expect(tagged.body.configs["when/offset"]).toBe("2021-03-04T05:06:07.000890+05:30");
  });

  it("serves raw and downsampled metrics with bookends and echoed indices", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const base = "/api/runs/acme/vision/sweep-large-88/metrics";
    const raw = await request(app, `${base}?path=train/loss`);
    expect(raw.body.metrics).toHaveLength(20_000);
    expect(raw.body.metrics[0]).toMatchObject({ path: "train/loss", step: 0 });
    const ds = await request(app, `${base}?path=train/loss&pointCount=100`);
    expect(ds.body).toMatchObject({
      firstPointIndex: 0,
      lastPointIndex: 19_999,
      totalCount: 20_000,
      downsampled: true,
    });
    expect(ds.body.points.length).toBeLessThanOrEqual(102);
    expect(ds.body.points[0].downsampled).toBe(false);
    const inverted = await request(
      app,
      `${base}?path=train/loss&pointCount=10&firstPointIndex=300&lastPointIndex=200`,
    );
    expect(inverted.body).toEqual({
      points: [],
      firstPointIndex: 300,
      lastPointIndex: 200,
      totalCount: 20_000,
      downsampled: false,
    });
    const grad = await request(app, `${base}?path=debug/grad_norm&pointCount=5`);
    expect(grad.text).not.toMatch(/\bNaN\b(?!")/);
    const all = await request(app, "/api/runs/acme/vision/matrix-7f3a/metrics");
    expect(all.body.metrics.map((m: { path: string }) => m.path)[0]).toBe("Zeta/upper");
  });

  it("pages string series with limit, offset and tail", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const base = "/api/runs/acme/vision/sweep-large-88/string_series";
    const tail = await request(app, `${base}?path=log/lines&tail=3`);
    expect(tail.body.total).toBe(500);
    expect(tail.body.string_series.map((s: { step: number }) => s.step)).toEqual([497, 498, 499]);
    const page = await request(app, `${base}?path=log/lines&limit=2&offset=10`);
    expect(page.body.string_series.map((s: { step: number }) => s.step)).toEqual([10, 11]);
    // Without a path, tail takes the last rows of the (path, step) order (the peer's bug, fixed).
    const noPath = await request(app, `${base}?tail=2`);
    expect(
      noPath.body.string_series.map((s: { path: string; step: number }) => [s.path, s.step]),
    ).toEqual([
      ["log/lines", 498],
      ["log/lines", 499],
    ]);
    expect(noPath.body.total).toBe(507);
  });

  it("counts each string series exactly, next to long and short series and orphaned points", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p", runId: "strings" });
    for (let step = 0; step < 6000; step++) run.log("long", `line ${step}`, { step });
    for (let step = 0; step < 3; step++) run.log("short", `note ${step}`, { step });
    for (let step = 0; step < 2000; step++) run.log("zlong", `z ${step}`, { step });
    await run.close();
    const file = join(dir.path, "projects/p/runs/strings.sqlite");
    const db = new Database(file);
    const orphan = db.query(
      "INSERT INTO string_points (series_id, step, value, ts) VALUES (?, ?, 'lost', 0)",
    );
    for (let step = 0; step < 7; step++) {
      orphan.run(0, step);
      orphan.run(999, step);
    }
    db.close();
    await using app = appFor(join(dir.path, "projects"));
    const base = "/api/runs/p/strings/string_series";
    for (const [path, total] of [
      ["long", 6000],
      ["short", 3],
      ["zlong", 2000],
      ["none", 0],
    ] as const) {
      const tail = await request(app, `${base}?path=${path}&tail=1`);
      expect([path, tail.body.total]).toEqual([path, total]);
      const page = await request(app, `${base}?path=${path}&limit=1&offset=0`);
      expect([path, page.body.total]).toEqual([path, total]);
    }
    expect((await request(app, `${base}?tail=1`)).body.total).toBe(8003);
  });

  it("encodes NaN and ±Infinity in our own runs as strings, everywhere", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "p", runId: "nan" });
    run.log("m", Number.NaN, { step: 0 });
    run.log("m", Number.POSITIVE_INFINITY, { step: 1 });
    run.log("m", 1, { step: 2 });
    for (let step = 3; step < 40; step++) run.log("m", Number.NaN, { step });
    await run.close();
    await using app = appFor(join(dir.path, "projects"));
    const raw = await request(app, "/api/runs/p/nan/metrics?path=m");
    expect(raw.body.metrics.slice(0, 2).map((m: { value: unknown }) => m.value)).toEqual([
      "NaN",
      "Infinity",
    ]);
    const ds = await request(app, "/api/runs/p/nan/metrics?path=m&pointCount=4");
    expect(ds.status).toBe(200);
    expect(ds.body.points.some((p: { value: unknown }) => p.value === "NaN")).toBe(true);
  });

  it("answers bad parameters with 400 and the peer's messages", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const base = "/api/runs/acme/vision/sweep-large-88";
    const cases: [string, string][] = [
      [`${base}/metrics?pointCount=10`, "pointCount requires a path parameter"],
      [`${base}/metrics?path=&pointCount=abc`, "pointCount requires a path parameter"],
      [`${base}/metrics?path=train/loss&pointCount=abc`, "pointCount must be an integer"],
      [`${base}/metrics?path=train/loss&pointCount=5.0`, "pointCount must be an integer"],
      [`${base}/metrics?path=train/loss&pointCount=1e3`, "pointCount must be an integer"],
      [
        `${base}/metrics?path=train/loss&pointCount=5&firstPointIndex=x`,
        "firstPointIndex and lastPointIndex must be integers",
      ],
      [
        `${base}/metrics?path=train/loss&pointCount=5&lastPointIndex=1.5`,
        "firstPointIndex and lastPointIndex must be integers",
      ],
      [`${base}/string_series?limit=abc`, "limit, offset, and tail must be integers"],
      [`${base}/string_series?limit=2&offset=x`, "limit, offset, and tail must be integers"],
      [`${base}/string_series?tail=%20`, "limit, offset, and tail must be integers"],
    ];
    for (const [target, message] of cases) {
      const result = await request(app, target);
      expect({ target, status: result.status, body: result.body }).toEqual({
        target,
        status: 400,
        body: { error: message },
      });
      expect(result.headers.get("access-control-allow-origin")).toBe("*");
    }
    for (const count of ["0", "-5"]) {
      const result = await request(app, `${base}/metrics?path=train/loss&pointCount=${count}`);
      expect(result.status).toBe(400);
      expect(typeof result.body.error).toBe("string");
    }
  });

  it("answers unknown routes with JSON 404s, preflights with 204, other methods with 405", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    for (const target of [
      "/api/unknown",
      "/api/runs/",
      "/",
      "/api/runs/acme/vision/matrix-7f3a",
      "/api/runs/acme/vision/matrix-7f3a/summary",
    ]) {
      const result = await request(app, target);
      expect(result.status).toBe(404);
      expect(result.body).toEqual({ error: "Not found" });
    }
    expect((await request(app, "/api/runs/acme/vision/matrix-7f3a/configs", "POST")).body).toEqual({
      error: "Not found",
    });
    expect((await request(app, "/api/runs/acme/vision/nope/configs")).body).toEqual({
      error: "Run not found: acme/vision/nope",
    });
    expect((await request(app, "/api/runs/acme%252Fvision/matrix-7f3a/configs")).status).toBe(404);
    const preflight = await request(app, "/anything/at/all", "OPTIONS");
    expect(preflight.status).toBe(204);
    expect(preflight.text).toBe("");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET, POST, OPTIONS");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("Content-Type");
    expect(preflight.headers.get("content-type")).toBeNull();
    const put = await request(app, "/api/runs", "PUT");
    expect(put.status).toBe(405);
    expect(put.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("trashes and restores runs without changing their mtime", async () => {
    await using compat = compatHome();
    await using app = appFor(compat.projects);
    const file = join(compat.projects, "acme/vision/runs/matrix-7f3a.sqlite");
    const before = Bun.file(file).lastModified;
    expect((await request(app, "/api/runs/acme/vision/matrix-7f3a/trash", "POST")).body).toEqual({
      ok: true,
    });
    const trashed = await request(app, "/api/runs?project=acme/vision");
    expect(
      trashed.body.runs.find((r: { run_id: string }) => r.run_id === "matrix-7f3a").trashed,
    ).toBe(true);
    expect(
      (await request(app, "/api/runs/acme%2Fvision/matrix-7f3a/trash/restore", "POST")).body,
    ).toEqual({ ok: true });
    const restored = await request(app, "/api/runs?project=acme/vision");
    expect(
      restored.body.runs.find((r: { run_id: string }) => r.run_id === "matrix-7f3a").trashed,
    ).toBe(false);
    expect(Bun.file(file).lastModified).toBe(before);
    expect((await request(app, "/api/runs/acme/vision/nope/trash", "POST")).status).toBe(404);
  });
});

describe("safety", () => {
  it("never reaches a file outside the served directory", async () => {
    await using dir = tempDir();
    const outside = localRun(dir.path, { project: "secret", runId: "hidden" });
    await outside.close();
    const served = join(dir.path, "served");
    const inside = localRun(served, { project: "p", runId: "ok" });
    await inside.close();
    await using app = appFor(join(served, "projects"));
    const attempts = [
      "/api/runs/../../projects/secret/hidden/configs",
      "/api/runs/%2e%2e/%2e%2e/projects/secret/hidden/configs",
      "/api/runs/p/..%2F..%2F..%2Fprojects%2Fsecret%2Fruns%2Fhidden/configs",
      `/api/runs/${encodeURIComponent(join(dir.path, "projects/secret"))}/hidden/configs`,
      "/api/runs/%2F..%2Fsecret/hidden/configs",
      "/api/runs/p/ok%00/configs",
      "/api/runs/p%00/ok/configs",
      "/api/runs/p%5C..%5C../ok/configs",
      "/api/runs/p/%2e%2e/configs",
    ];
    for (const target of attempts) {
      const result = await request(app, target);
      expect({ target, status: result.status }).toEqual({ target, status: 404 });
      expect(result.text).not.toContain('hidden":');
    }
    for (const target of attempts.map((t) => t.replace(/configs$/, "trash"))) {
      expect((await request(app, target, "POST")).status).toBe(404);
    }
    expect((await request(app, "/api/runs/p/ok/configs")).status).toBe(200);
  });

  it("skips a corrupt or empty run file in lists with a warning, and answers its own routes with a JSON error", async () => {
    await using dir = tempDir();
    const good = localRun(dir.path, { project: "p", runId: "good" });
    good.log("m", 1, { step: 0 });
    await good.close();
    const runs = join(dir.path, "projects/p/runs");
    writeFileSync(
      join(runs, "corrupt.sqlite"),
      "this is not a database, not even close ".repeat(200),
    );
    writeFileSync(join(runs, "empty.sqlite"), "");
    const warnings: string[] = [];
    await using app = appFor(join(dir.path, "projects"), warnings);
    const list = await request(app, "/api/runs");
    expect(list.status).toBe(200);
    expect(list.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual(["good"]);
    expect(warnings.some((w) => w.includes("corrupt.sqlite"))).toBe(true);
    // The empty file (a SIGKILL before the schema was written) is no run; the corrupt one counts.
    const projects = await request(app, "/api/projects");
    expect(projects.body.projects[0].run_count).toBe(2);
    expect((await request(app, "/api/runs/p/empty/metrics")).status).toBe(404);
    for (const target of [
      "/api/runs/p/corrupt/configs",
      "/api/runs/p/corrupt/metrics",
      "/api/runs/p/corrupt/string_series",
    ]) {
      const result = await request(app, target);
      expect(result.status).toBe(500);
      expect(typeof result.body.error).toBe("string");
    }
    expect((await request(app, "/api/runs/p/good/metrics?path=m")).body.metrics).toHaveLength(1);
  });

  it("lists hundreds of runs read on two threads, still skipping a corrupt file with one warning", async () => {
    await using dir = tempDir();
    const template = localRun(dir.path, { project: "t", runId: "template" });
    template.log("loss", 1, { step: 0 });
    template.log("notes", "hello", { step: 0 });
    await template.close();
    const source = join(dir.path, "projects/t/runs/template.sqlite");
    const expected: string[] = [];
    for (let i = 0; i < 400; i++) {
      const project = `g${i % 7}`;
      const runs = join(dir.path, "projects", project, "runs");
      mkdirSync(runs, { recursive: true });
      const runId = `r${String(i).padStart(3, "0")}`;
      copyFileSync(source, join(runs, `${runId}.sqlite`));
      const db = new Database(join(runs, `${runId}.sqlite`));
      db.run("UPDATE run_meta SET value = ? WHERE key = 'run_id'", [runId]);
      db.run("UPDATE run_meta SET value = ? WHERE key = 'project'", [project]);
      db.close();
      expected.push(`${project}/${runId}`);
    }
    writeFileSync(join(dir.path, "projects/g3/runs/broken.sqlite"), "not a database ".repeat(300));
    const warnings: string[] = [];
    await using app = appFor(join(dir.path, "projects"), warnings);
    const list = await request(app, "/api/runs");
    const runs = list.body.runs as {
      project: string;
      run_id: string;
      metric_paths: string[];
      string_series_paths: string[];
    }[];
    expect(runs.map((run) => `${run.project}/${run.run_id}`).sort()).toEqual(
      [...expected, "t/template"].sort(),
    );
    expect(runs.every((run) => run.metric_paths.join() === "loss")).toBe(true);
    expect(runs.every((run) => run.string_series_paths.join() === "notes")).toBe(true);
    expect(warnings.filter((warning) => warning.includes("broken.sqlite"))).toHaveLength(1);
  });
});
