import { describe, expect, it } from "bun:test";
import { consolePaths, consoleText } from "../../../src/ui/console-file.ts";

const entry = (path: string, step: number, value: string, second: number) => ({
  path,
  step,
  value,
  logged_at: new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString(),
});

describe("a run's console as one file", () => {
  it("takes every process's stdout, stderr and traceback, stdout first, nothing else", () => {
    expect(
      consolePaths([
        "notes",
        "monitoring/b2/stderr",
        "monitoring/a1/traceback",
        "monitoring/a1/stdout",
        "monitoring/b2/stdout",
        "monitoring/a1/stderr",
        "source_code/diff",
      ]),
    ).toEqual([
      "monitoring/a1/stdout",
      "monitoring/b2/stdout",
      "monitoring/a1/stderr",
      "monitoring/b2/stderr",
      "monitoring/a1/traceback",
    ]);
  });

  it("orders lines by time, then by stream, then by step within a stream", () => {
    const stdout = [
      entry("m/stdout", 0, "start", 0),
      entry("m/stdout", 1, "epoch 1", 2),
      entry("m/stdout", 2, "epoch 2", 2),
    ];
    const stderr = [entry("m/stderr", 0, "warning: slow", 1), entry("m/stderr", 1, "oom", 2)];
    const traceback = [entry("m/traceback", 0, "Traceback:\n  boom\n", 2)];
    expect(consoleText([stdout, stderr, traceback])).toBe(
      "start\nwarning: slow\nepoch 1\nepoch 2\noom\nTraceback:\n  boom\n",
    );
    expect(consoleText([])).toBe("");
  });
});
