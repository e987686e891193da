import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { fakeTool, pathWith } from "../helpers/fake-tools.ts";
import { readRunFile } from "../helpers/run-file.ts";
import { runScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";

/** Runs a script that opens a run with hardware capture, busy-loops `ms`, and closes it. */
async function sampledRun(home: string, binDir: string | undefined, ms: number, extra = "") {
  const started = Date.now();
  const result = await runScript(
    `const run = new Run({ runId: "hw", captureStdout: false, captureStderr: false, gitRef: false ${extra} });
const until = performance.now() + ${ms};
while (performance.now() < until) {}
await run.close();`,
    {
      home,
      env: { GOODSEED_MONITOR_INTERVAL_MS: "100", ...(binDir ? { PATH: pathWith(binDir) } : {}) },
    },
  );
  expect(result.exitCode).toBe(0);
  const contents = readRunFile(join(home, "projects/default/runs/hw.sqlite"));
  const ns = contents.configs
    .find((row) => row.path.endsWith("/hostname"))
    ?.path.replace(/\/hostname$/, "") as string;
  const series = (name: string) =>
    contents.metrics
      .filter((row) => row.path === `${ns}/${name}`)
      .map((row) => ({ step: row.step, y: row.y }));
  return { contents, ns, series, elapsed: Date.now() - started };
}

describe("hardware metrics", () => {
  it("samples CPU and memory in the Worker while the main thread busy-loops", async () => {
    await using dir = tempDir();
    const { series, contents, ns } = await sampledRun(dir.path, undefined, 1500);
    const cpu = series("cpu");
    expect(cpu.length).toBeGreaterThanOrEqual(5);
    expect(cpu.map((point) => point.step)).toEqual(cpu.map((_, index) => index));
    for (const point of cpu) expect(point.y as number).toBeGreaterThanOrEqual(0);
    // A busy main thread keeps at least one core busy.
    expect(Math.max(...cpu.map((point) => point.y as number))).toBeGreaterThan(10);
    const memory = series("memory");
    expect(memory.length).toBe(cpu.length);
    expect(memory[0]?.y as number).toBeGreaterThan(0);
    expect(contents.metrics.some((row) => row.path === `${ns}/gpu`)).toBe(false);
  });

  it("reads two NVIDIA GPUs from nvidia-smi as gpu_0 and gpu_1", async () => {
    await using dir = tempDir();
    const bin = join(dir.path, "bin");
    fakeTool(bin, "nvidia-smi", { output: "45, 1024, 8192, 120.5\n90, 4096, 8192, 250.25" });
    const { series } = await sampledRun(dir.path, bin, 800);
    expect(series("gpu_0")[0]?.y).toBe(45);
    expect(series("gpu_memory_0")[0]?.y).toBe(12.5);
    expect(series("gpu_power_0")[0]?.y).toBe(120.5);
    expect(series("gpu_1")[0]?.y).toBe(90);
    expect(series("gpu_memory_1")[0]?.y).toBe(50);
    expect(series("gpu_power_1")[0]?.y).toBe(250.2);
    expect(series("gpu")).toEqual([]);
    // GPU metrics share the step of the CPU sample they belong to.
    expect(series("gpu_0")[0]?.step).toBe(series("cpu")[0]?.step);
  });

  it("reads one AMD GPU from rocm-smi without a suffix", async () => {
    await using dir = tempDir();
    const bin = join(dir.path, "bin");
    fakeTool(bin, "rocm-smi", {
      output: JSON.stringify({
        card0: {
          "GPU use (%)": "37",
          "GPU memory use (%)": "12",
          "Average Graphics Package Power (W)": "88.44",
        },
      }),
    });
    const { series } = await sampledRun(dir.path, bin, 800);
    expect(series("gpu")[0]?.y).toBe(37);
    expect(series("gpu_memory")[0]?.y).toBe(12);
    expect(series("gpu_power")[0]?.y).toBe(88.4);
  });

  it("kills an nvidia-smi that hangs past the timeout and keeps sampling", async () => {
    await using dir = tempDir();
    const bin = join(dir.path, "bin");
    fakeTool(bin, "nvidia-smi", "hang");
    const { series } = await sampledRun(dir.path, bin, 6500);
    expect(series("cpu").length).toBeGreaterThanOrEqual(30);
    expect(series("gpu")).toEqual([]);
    // Only one query runs at a time: a second start means the first was killed at its timeout.
    const starts = (await Bun.file(join(bin, "nvidia-smi.calls")).text()).trim().split("\n");
    expect(starts.length).toBeGreaterThanOrEqual(2);
  });

  it("times out a hung nvidia-smi without stalling CPU samples or the exit", async () => {
    await using dir = tempDir();
    const bin = join(dir.path, "bin");
    fakeTool(bin, "nvidia-smi", "hang");
    const { series, elapsed } = await sampledRun(dir.path, bin, 1500);
    expect(series("cpu").length).toBeGreaterThanOrEqual(5);
    expect(series("gpu")).toEqual([]);
    expect(elapsed).toBeLessThan(12_000);
    // The hung tool did not outlive the run.
    const leftover = Bun.spawnSync(["pgrep", "-f", "sleep 59.99"]).stdout.toString().trim();
    expect(leftover).toBe("");
  });

  it("skips the GPU part of a sample when nvidia-smi prints garbage or fails", async () => {
    for (const behaviour of ["garbage", "fail"] as const) {
      await using dir = tempDir();
      const bin = join(dir.path, "bin");
      fakeTool(bin, "nvidia-smi", behaviour);
      const { series, contents, ns } = await sampledRun(dir.path, bin, 600);
      expect(series("cpu").length).toBeGreaterThanOrEqual(2);
      expect(contents.metrics.filter((row) => row.path.startsWith(`${ns}/gpu`))).toEqual([]);
    }
  });

  it("is off with captureHardwareMetrics: false", async () => {
    await using dir = tempDir();
    const { contents } = await sampledRun(
      dir.path,
      undefined,
      500,
      ", captureHardwareMetrics: false",
    );
    expect(contents.metrics).toEqual([]);
  });
});
