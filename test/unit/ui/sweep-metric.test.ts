import { describe, expect, it } from "bun:test";
import { defaultMetric, isProcessMetric, sweepMetricPaths } from "../../../src/ui/sweep-metric.ts";

const PATHS = [
  "grad/norm",
  "monitoring/a0000000/cpu",
  "monitoring/a0000000/gpu_0",
  "monitoring/a0000000/gpu_memory_1",
  "monitoring/a0000001/memory",
  "train/loss",
  "train/lr",
  "val/acc",
  "val/loss",
];

describe("isProcessMetric", () => {
  it("knows a process's hardware metrics and the keys the table hides", () => {
    expect(isProcessMetric("monitoring/a0000000/cpu")).toBe(true);
    expect(isProcessMetric("monitoring/a0000000/gpu_power_1")).toBe(true);
    expect(isProcessMetric("monitoring/a0000000/pid")).toBe(true);
    expect(isProcessMetric("source_code/diff")).toBe(true);
    expect(isProcessMetric("train/cpu")).toBe(false);
    expect(isProcessMetric("val/loss")).toBe(false);
  });
});

describe("sweepMetricPaths", () => {
  it("hides per-process metrics unless asked for", () => {
    expect(sweepMetricPaths(PATHS, false)).toEqual([
      "grad/norm",
      "train/loss",
      "train/lr",
      "val/acc",
      "val/loss",
    ]);
    expect(sweepMetricPaths(PATHS, true)).toEqual(PATHS);
  });

  it("keeps the chosen one, so that the menu shows what is drawn", () => {
    expect(sweepMetricPaths(PATHS, false, "monitoring/a0000000/cpu")).toContain(
      "monitoring/a0000000/cpu",
    );
  });
});

describe("defaultMetric", () => {
  it("starts on a validation loss", () => {
    expect(defaultMetric(PATHS)).toBe("val/loss");
    expect(defaultMetric(["eval/accuracy", "eval/loss_ema", "train/loss"])).toBe("eval/loss_ema");
    expect(defaultMetric(["test/top1", "train/loss"])).toBe("test/top1");
  });

  it("takes a validation accuracy without a validation loss", () => {
    expect(defaultMetric(["grad/norm", "train/loss", "val/acc"])).toBe("val/acc");
  });

  it("takes a training loss, then the first training metric, without validation metrics", () => {
    expect(defaultMetric(["grad/norm", "train/loss", "train/lr"])).toBe("train/loss");
    expect(defaultMetric(["grad/norm", "train/lr"])).toBe("train/lr");
    expect(defaultMetric(["b", "a/x"])).toBe("b");
  });

  it("never starts on a per-process metric, and has none without metrics", () => {
    expect(defaultMetric(["monitoring/a0000000/cpu"])).toBeUndefined();
    expect(defaultMetric([])).toBeUndefined();
  });
});
