import { describe, expect, it } from "bun:test";
import { mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT, tempDir } from "./helpers/temp-dir.ts";

/**
 * The packed package, installed into an empty project as a package manager would, with
 * its dependencies linked from this checkout (tests never reach the registry).
 */
describe("the npm package", () => {
  it("installs from its tarball: import { Run } works and the goodseed bin runs", async () => {
    await using dir = tempDir();
    const pack = Bun.spawnSync(["npm", "pack", "--json", "--pack-destination", dir.path], {
      cwd: REPO_ROOT,
    });
    expect(pack.exitCode).toBe(0);
    const [packed] = JSON.parse(pack.stdout.toString()) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = packed?.files.map((file) => file.path) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining(["bin/goodseed.ts", "src/index.ts", "package.json", "README.md"]),
    );
    expect(paths.some((path) => path.startsWith("test/"))).toBe(false);

    const app = join(dir.path, "app");
    const modules = join(app, "node_modules");
    const installed = join(modules, "goodseed");
    mkdirSync(installed, { recursive: true });
    expect(
      Bun.spawnSync([
        "tar",
        "-xzf",
        join(dir.path, packed?.filename as string),
        "-C",
        installed,
        "--strip-components=1",
      ]).exitCode,
    ).toBe(0);
    for (const entry of readdirSync(join(REPO_ROOT, "node_modules"))) {
      if (entry === ".bin" || entry === "goodseed") continue;
      symlinkSync(join(REPO_ROOT, "node_modules", entry), join(modules, entry));
    }
    mkdirSync(join(modules, ".bin"));
    symlinkSync("../goodseed/bin/goodseed.ts", join(modules, ".bin/goodseed"));
    await Bun.write(
      join(app, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    await Bun.write(
      join(app, "train.ts"),
      `import { Run } from "goodseed";
const run = new Run({ storage: "local", runId: "from-package", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
run.log("loss", 0.5, { step: 0 });
await run.close();
console.log(run.file);`,
    );
    // The bin's `#!/usr/bin/env bun` finds Bun as a user's shell would: on PATH.
    const env = {
      ...process.env,
      GOODSEED_HOME: join(dir.path, "home"),
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    };
    const train = Bun.spawnSync([process.execPath, "train.ts"], { cwd: app, env });
    expect(train.stderr.toString()).toBe("");
    expect(train.stdout.toString().trim()).toBe(
      join(dir.path, "home/projects/default/runs/from-package.sqlite"),
    );
    const version = Bun.spawnSync([join(modules, ".bin/goodseed"), "--version"], { cwd: app, env });
    expect(version.stdout.toString()).toMatch(/^goodseed \d+\.\d+\.\d+/);
    const list = Bun.spawnSync([join(modules, ".bin/goodseed"), "list", "-p", "default"], {
      cwd: app,
      env,
    });
    expect(list.stdout.toString()).toContain("from-package");
  });

  it("the demo's hints to serve and list its run work where only Node.js and npm are installed", async () => {
    await using home = tempDir();
    const demo = Bun.spawn([process.execPath, join(REPO_ROOT, "scripts/demo.ts")], {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, GOODSEED_HOME: home.path },
    });
    const printed = await new Response(demo.stdout).text();
    expect(await demo.exited).toBe(0);
    const hint = /List the runs:\s+(.+)$/m.exec(printed)?.[1]?.trim();
    expect(hint).toBeDefined();
    // The README's new user: node and npm on PATH, Bun only inside node_modules.
    const systemPath = (process.env.PATH ?? "")
      .split(":")
      .filter((dir) => !dir.includes("node_modules") && !dir.includes(".bun"))
      .join(":");
    const listed = Bun.spawn(["sh", "-c", hint as string], {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: systemPath, HOME: home.path, GOODSEED_HOME: home.path },
    });
    const [out, err] = await Promise.all([
      new Response(listed.stdout).text(),
      new Response(listed.stderr).text(),
    ]);
    expect({ hint, code: await listed.exited, err: err.includes("not found") ? err : "" }).toEqual({
      hint,
      code: 0,
      err: "",
    });
    expect(out).toContain("1 run(s) in demo");
    expect(printed).toMatch(/Serve it:\s+npx goodseed serve/);
  }, 60_000);
});
