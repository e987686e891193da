import { describe, expect, it } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, tempDir } from "./helpers/temp-dir.ts";

describe("importing goodseed", () => {
  it("under Node.js fails at once with a message that says to use Bun", async () => {
    const node = Bun.which("node");
    if (!node) return;
    await using dir = tempDir();
    mkdirSync(join(dir.path, "node_modules"));
    symlinkSync(REPO_ROOT, join(dir.path, "node_modules/goodseed"));
    const result = Bun.spawnSync(
      [node, "--input-type=module", "-e", 'import { Run } from "goodseed";'],
      {
        cwd: dir.path,
      },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.toString()).toContain("goodseed runs on Bun only");
  });

  it("under Bun resolves to the library", async () => {
    await using dir = tempDir();
    mkdirSync(join(dir.path, "node_modules"));
    symlinkSync(REPO_ROOT, join(dir.path, "node_modules/goodseed"));
    const result = Bun.spawnSync(
      [
        process.execPath,
        "-e",
        'import { Run, withRun } from "goodseed"; console.log(typeof Run, typeof withRun);',
      ],
      {
        cwd: dir.path,
      },
    );
    expect(result.stdout.toString().trim()).toBe("function function");
  });
});

describe("the Node.js guard", () => {
  it("declares every runtime export of the library, so any named import links and then fails clearly", async () => {
    const library = Object.keys(await import("../src/index.ts")).sort();
    const guard = (await Bun.file(join(REPO_ROOT, "src/node-guard.js")).text())
      .split("\n")
      .map((line) => /^export const (\w+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
      .sort();
    expect(guard).toEqual(library);
  });
});
