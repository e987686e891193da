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
});
