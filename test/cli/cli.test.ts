import { describe, expect, it } from "bun:test";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import { localRun } from "../helpers/runs.ts";
import { compatHome, REPO_ROOT, tempDir } from "../helpers/temp-dir.ts";

async function cli(args: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, join(REPO_ROOT, "bin/goodseed.ts"), ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...env },
  });
  const [stdout, stderr] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code: await child.exited, stdout, stderr };
}

describe("goodseed CLI", () => {
  it("prints its version and help for every command", async () => {
    expect((await cli(["--version"])).stdout.trim()).toBe(`goodseed ${packageJson.version}`);
    expect((await cli(["list", "--version"])).stdout.trim()).toBe(
      `goodseed ${packageJson.version}`,
    );
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("serve");
    expect(help.stdout).toContain("list");
    for (const command of ["serve", "list", "init"]) {
      const result = await cli([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: goodseed ${command}`);
    }
  });

  it("exits 2 on bad usage", async () => {
    for (const args of [
      ["bogus"],
      ["list", "--nope"],
      ["serve", "--port", "abc"],
      ["list", "a", "b"],
      ["list", "-p", "../elsewhere"],
    ]) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain("Usage:");
    }
  });

  it("starts every error with 'goodseed:' and keeps a usage error short, pointing at --help", async () => {
    await using dir = tempDir();
    const env = { GOODSEED_HOME: dir.path, GOODSEED_API_KEY: "" };
    for (const [args, code] of [
      [["list", join(dir.path, "nowhere")], 1],
      [["upload", "-p", "mine"], 1],
      [
        [
          "server",
          "keys",
          "revoke",
          "nope",
          "--database",
          `sqlite://${join(dir.path, "db.sqlite")}`,
        ],
        1,
      ],
      [["bogus"], 2],
      [["server", "keys", "create", "--workspace", "acme"], 2],
      [["serve", "--port", "abc"], 2],
    ] as const) {
      const result = await cli([...args], env);
      expect({ args, code: result.code }).toEqual({ args, code });
      const [first] = result.stderr.split("\n");
      expect({ args, first }).toEqual({ args, first: expect.stringMatching(/^goodseed: [a-z-]/) });
      expect(result.stderr).not.toContain("Error:");
      if (code === 2) {
        // The reason stays on screen: the usage line and where the options are, not the whole help.
        expect(result.stderr).toContain("Usage: goodseed");
        expect(result.stderr).toContain("--help");
        expect(result.stderr).not.toContain("Options:");
      }
    }
  });

  it("answers a directory given without a command with the serve command to use", async () => {
    await using dir = tempDir();
    const result = await cli([dir.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`goodseed serve ${dir.path}`);
  });

  it("lists projects and runs as tables and as JSON", async () => {
    await using compat = compatHome();
    const projects = await cli(["list", compat.projects]);
    expect(projects.code).toBe(0);
    expect(projects.stdout).toContain("acme/vision");
    expect(projects.stdout).toContain("2 project(s)");
    const runs = await cli(["list", compat.projects, "-p", "acme/vision"]);
    expect(runs.stdout.split("\n")[0]).toMatch(/^RUN ID\s+NAME\s+STATUS\s+CREATED\s+METRICS$/);
    expect(runs.stdout).toMatch(
      /sweep-large-88\s+Large sweep Alpha\s+finished\s+2026-11-26 18:14:35\s+3/,
    );
    expect(runs.stdout).toContain("3 run(s) in acme/vision");
    const json = JSON.parse(
      (await cli(["list", compat.projects, "--project", "default", "--json"])).stdout,
    );
    expect(json.runs.map((run: { run_id: string }) => run.run_id)).toContain("live-91aa");
    const projectsJson = JSON.parse((await cli(["list", compat.projects, "--json"])).stdout);
    expect(projectsJson.projects).toHaveLength(2);
  });

  it("lists the runs in GOODSEED_HOME by default and says when there are none", async () => {
    await using dir = tempDir();
    // A fresh home (no `projects` yet) is no error, as for `serve`; a named directory is.
    const empty = await cli(["list"], { GOODSEED_HOME: dir.path });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain(`No runs yet: ${join(dir.path, "projects")} does not exist`);
    const emptyJson = await cli(["list", "-p", "mine", "--json"], { GOODSEED_HOME: dir.path });
    expect(emptyJson.code).toBe(0);
    expect(JSON.parse(emptyJson.stdout)).toEqual({ runs: [] });
    const missing = await cli(["list", join(dir.path, "nowhere")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("projects directory does not exist");
    const file = await cli(["list", join(REPO_ROOT, "README.md")]);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain("projects directory is not a directory");
    const run = localRun(dir.path, { project: "mine", runId: "r1", name: "First" });
    run.log("loss", 1, { step: 0 });
    await run.close();
    const listed = await cli(["list", "-p", "mine"], { GOODSEED_HOME: dir.path });
    expect(listed.stdout).toMatch(/r1\s+First\s+finished/);
    expect((await cli(["list", "-p", "other"], { GOODSEED_HOME: dir.path })).stdout).toContain(
      "No runs found in project 'other'.",
    );
  });

  it("lists every run of a project large enough for the summary Worker to help read it", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { project: "many", runId: "r0", name: "Copied" });
    run.log("loss", 1, { step: 0 });
    await run.close();
    const runs = join(dir.path, "projects", "many", "runs");
    const [file] = readdirSync(runs);
    // 250 settled files: past the count from which the summary Worker reads a share.
    for (let i = 1; i < 250; i++)
      copyFileSync(join(runs, file as string), join(runs, `c${i}.sqlite`));
    const listed = await cli(["list", "-p", "many", "--json"], { GOODSEED_HOME: dir.path });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).runs).toHaveLength(250);
  });
});
