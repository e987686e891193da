import { describe, expect, it } from "bun:test";
import { InvalidValueError } from "../../src/index.ts";
import { readRunFile } from "../helpers/run-file.ts";
import { localRun, thrown } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";

function expectTypeError(action: () => unknown, path: string | undefined): void {
  const error = thrown(action);
  expect(error).toBeInstanceOf(TypeError);
  expect(error).toBeInstanceOf(InvalidValueError);
  if (path !== undefined) expect(error.message).toContain(path);
}

describe("bad input", () => {
  it("gets a TypeError naming the path, and nothing of the call is written", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("good", 1, { step: 0 });

    // wrong kinds of value
    expectTypeError(() => run.log("m/obj", { v: 1 } as unknown as number), "m/obj");
    expectTypeError(() => run.log("m/bool", true as unknown as number), "m/bool");
    expectTypeError(() => run.log("m/null", null as unknown as number), "m/null");
    expectTypeError(() => run.log("m/undef", undefined as unknown as number), "m/undef");
    expectTypeError(
      () => run.logMetrics({ "lm/ok": 1, "lm/str": "0.5" } as unknown as Record<string, number>),
      "lm/str",
    );
    expectTypeError(
      () => run.logMetrics({ "lm/ok": 1, "lm/bool": true } as unknown as Record<string, number>),
      "lm/bool",
    );
    expectTypeError(
      () => run.logStrings({ "ls/ok": "x", "ls/num": 1 } as unknown as Record<string, string>),
      "ls/num",
    );
    expectTypeError(
      () => run.logMetrics([1, 2] as unknown as Record<string, number>),
      "logMetrics",
    );
    expectTypeError(
      () => run.logConfigs("nope" as unknown as Record<string, unknown>),
      "logConfigs",
    );
    expectTypeError(() => run.set("cfg/fn", () => 1), "cfg/fn");
    expectTypeError(() => run.logConfigs({ "cfg/ok": 1, "cfg/sym": Symbol("x") }), "cfg/sym");

    // steps that are not finite numbers
    for (const step of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      "1",
      1n,
      null,
    ]) {
      expectTypeError(() => run.log("s/bad", 1, { step: step as number }), "s/bad");
      expectTypeError(() => run.log("s/bad", "text", { step: step as number }), "s/bad");
      expectTypeError(() => run.logMetrics({ "s/lm": 1 }, { step: step as number }), "s/lm");
      expectTypeError(() => run.logStrings({ "s/ls": "x" }, { step: step as number }), "s/ls");
    }

    // paths
    for (const path of ["", "/", "///"]) {
      expectTypeError(() => run.log(path, 1, { step: 0 }), undefined);
      expectTypeError(() => run.set(path, 1), undefined);
      expectTypeError(() => run.logMetrics({ [path]: 1 }, { step: 0 }), undefined);
    }
    expectTypeError(() => run.log(42 as unknown as string, 1, { step: 0 }), undefined);
    expectTypeError(() => run.exists(""), undefined);
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expectTypeError(() => run.set("cyc", circular), "cyc");

    // the run still works after all of that
    run.log("good", 2, { step: 1 });
    await run.close();
    const contents = readRunFile(run.file as string);
    expect(contents.metrics.map((r) => [r.path, r.step, r.y])).toEqual([
      ["good", 0, 1],
      ["good", 1, 2],
    ]);
    expect(contents.strings).toEqual([]);
    expect(
      contents.configs.filter(
        (r) => !r.path.startsWith("sys/") && !r.path.startsWith("monitoring/"),
      ),
    ).toEqual([]);
  });

  it("a failed call does not consume auto-steps", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.log("auto", 1);
    expectTypeError(() => run.log("auto", {} as unknown as number), "auto");
    expectTypeError(
      () => run.logMetrics({ auto: 2, other: "x" } as unknown as Record<string, number>),
      "other",
    );
    run.log("auto", 2);
    await run.close();
    expect(readRunFile(run.file as string).metrics.map((r) => r.step)).toEqual([0, 1]);
  });
});
