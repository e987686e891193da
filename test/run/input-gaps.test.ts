import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  GoodseedError,
  InvalidOptionError,
  InvalidValueError,
  StorageError,
} from "../../src/index.ts";
import { configOf, readRunFile, seriesOf } from "../helpers/run-file.ts";
import { localRun, rejected, thrown } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";

function runsDir(home: string): string {
  const dir = join(home, "projects/default/runs");
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("input gaps", () => {
  for (const big of [2 ** 53, 1e300]) {
    it(`auto-steps keep advancing after an explicit step of ${big}`, async () => {
      await using dir = tempDir();
      const run = localRun(dir.path);
      run.log("m", 1, { step: big });
      run.log("m", 2);
      run.log("m", 3);
      await run.close();
      const steps = seriesOf(readRunFile(run.file as string), "m").map((p) => p.step);
      expect(steps).toHaveLength(3);
      expect(new Set(steps).size).toBe(3);
      expect(steps[0]).toBe(big);
    });
  }

  it("an auto-step past the largest finite number is refused", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("m", 1, { step: Number.MAX_VALUE });
    expect(thrown(() => run.log("m", 2))).toBeInstanceOf(InvalidValueError);
    await run.close();
  });

  it("lone surrogates in paths and strings are refused, so no two paths collide", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("\uFFFD", 1, { step: 0 });
    for (const action of [
      () => run.log("\uD800", 2, { step: 0 }),
      () => run.log("a\uDC00b", 2, { step: 0 }),
      () => run.log("text", "x\uD800", { step: 0 }),
      () => run.logStrings({ text: "\uDFFF" }, { step: 0 }),
      () => run.set("param", "\uD800"),
      () => run.set("\uD800", 1),
    ]) {
      const error = thrown(action);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toContain("surrogate");
    }
    run.log("pair", "\uD83D\uDE00", { step: 0 });
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(seriesOf(contents, "\uFFFD")).toEqual([{ step: 0, y: 1 }]);
    expect(contents.strings.map((s) => s.value)).toEqual(["\uD83D\uDE00"]);
  });

  it("getMetricData checks stepMin and stepMax", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("m", 1, { step: 0 });
    for (const query of [{ stepMin: "a" }, { stepMin: Number.NaN }, { stepMax: {} }]) {
      const error = await rejected(() => run.getMetricData("m", query as never));
      expect(error).toBeInstanceOf(InvalidValueError);
    }
    expect((await run.getMetricData("m", { stepMin: 0, stepMax: 1 })).path).toBe("m");
    await run.close();
  });

  it("logConfigs takes only a boolean flatten", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    const error = thrown(() => run.logConfigs({ a: { b: 1 } }, { flatten: "yes" as never }));
    expect(error).toBeInstanceOf(InvalidValueError);
    await run.close();
  });

  it("sys/tags stays a string set: set() with a string is refused, add() keeps working", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path, { tags: ["a"] });
    expect(thrown(() => run.set("sys/tags", "x"))).toBeInstanceOf(InvalidValueError);
    expect(thrown(() => run.logConfigs({ sys: { tags: 3 } }))).toBeInstanceOf(InvalidValueError);
    run.add("sys/tags", "b");
    await run.close();
    const tags = configOf(readRunFile(run.file as string), "sys/tags");
    expect(tags?.type_tag).toBe("string_set");
    expect(JSON.parse(tags?.value as string).sort()).toEqual(["a", "b"]);
  });

  it("a corrupt run file fails the constructor with a goodseed error, leaving no -wal or -shm", async () => {
    await using dir = tempDir();
    const runs = runsDir(dir.path);
    writeFileSync(join(runs, "junk.sqlite"), "this is not a database, just text ".repeat(200));
    const error = thrown(() => localRun(dir.path, { resumeRunId: "junk" }));
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toContain("junk");
    expect(readdirSync(runs)).toEqual(["junk.sqlite"]);
  });

  it("resuming an unrelated SQLite database is refused and leaves it untouched", async () => {
    await using dir = tempDir();
    const runs = runsDir(dir.path);
    const file = join(runs, "other.sqlite");
    const db = new Database(file);
    db.run("CREATE TABLE things (x)");
    db.close();
    const error = thrown(() => localRun(dir.path, { resumeRunId: "other" }));
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toContain("not a goodseed run");
    const check = new Database(file, { readonly: true });
    const tables = check
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => row.name);
    check.close();
    expect(tables).toEqual(["things"]);
    expect(readdirSync(runs)).toEqual(["other.sqlite"]);
  });

  it("a home that is a file, or a runs folder without write permission, fails with a goodseed error", async () => {
    await using dir = tempDir();
    const home = join(dir.path, "file-home");
    writeFileSync(home, "x");
    const notDir = thrown(() => localRun(home));
    expect(notDir).toBeInstanceOf(GoodseedError);
    expect((notDir as StorageError).cause).toBeDefined();

    const runs = runsDir(join(dir.path, "ro"));
    chmodSync(runs, 0o500);
    try {
      // root ignores permissions: only check where they apply.
      let writable = true;
      try {
        writeFileSync(join(runs, "probe"), "");
      } catch {
        writable = false;
      }
      if (!writable) {
        const denied = thrown(() => localRun(join(dir.path, "ro")));
        expect(denied).toBeInstanceOf(GoodseedError);
      }
    } finally {
      chmodSync(runs, 0o700);
    }
  });

  it("a project name too long for a folder is refused as an option, creating nothing", async () => {
    await using dir = tempDir();
    const error = thrown(() => localRun(dir.path, { project: `acme/${"x".repeat(300)}` }));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.message).toContain("255");
    expect(readdirSync(dir.path)).toEqual([]);
    // 255 bytes is what file systems take: a name that long still works.
    const longest = localRun(dir.path, { project: `acme/${"é".repeat(127)}` });
    await longest.close();
  });

  it("a malformed config.json is reported, not ignored", async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "config.json"), "{ not json");
    const error = thrown(() => localRun(dir.path));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.message).toContain("config.json");
  });
});
