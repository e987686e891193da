import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fakeTool, onlyFakes } from "../helpers/fake-tools.ts";
import { readRunFile } from "../helpers/run-file.ts";
import { runScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";
import { waitFor } from "../helpers/wait.ts";

/** What the script's busy loop waits for before it closes the run. */
interface Until {
  /** CPU samples in the run file. */
  cpu: number;
  /** Starts of a fake GPU tool, from its `.calls` file. */
  calls?: { tool: string; count: number };
}

/**
 * Runs a script that opens a run with hardware capture and busy-loops, never
 * yielding, until the run file holds `until.cpu` CPU samples (and the fake tool was
 * started `until.calls.count` times), then closes it. Counting samples instead of
 * time keeps the test independent of the machine's speed; the loop gives up after
 * 30 s.
 */
async function sampledRun(
  home: string,
  binDir: string | undefined,
  until: Until,
  options: { extra?: string; env?: Record<string, string> } = {},
) {
  const callsFile = until.calls && binDir ? join(binDir, `${until.calls.tool}.calls`) : "";
  const result = await runScript(
    `import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
const run = new Run({ runId: "hw", captureStdout: false, captureStderr: false, gitRef: false ${options.extra ?? ""} });
const probe = new Run({ runId: "probe", captureStdout: false, captureStderr: false, gitRef: false });
const cpuPath = probe.monitoringNamespace + "/cpu";
// The writer holds the file: a read may find it busy (SQLITE_BUSY*), and then counts none.
function cpuSamples() {
  let db;
  try {
    db = new Database(probe.file, { readonly: true });
    return db.query("SELECT count(*) AS n FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.path = ?").get(cpuPath).n;
  } catch (error) {
    if (String(error?.code).startsWith("SQLITE_BUSY")) return 0;
    throw error;
  } finally {
    db?.close();
  }
}
function calls() {
  const file = ${JSON.stringify(callsFile)};
  return file && existsSync(file) ? readFileSync(file, "utf8").trim().split("\\n").length : 0;
}
const deadline = performance.now() + 30_000;
let next = 0;
for (;;) {
  const now = performance.now();
  if (now >= next) {
    if (cpuSamples() >= ${until.cpu} && calls() >= ${until.calls?.count ?? 0}) break;
    next = now + 20;
  }
  if (now > deadline) throw new Error(\`gave up: \${cpuSamples()} CPU samples, \${calls()} tool starts\`);
}
await run.close();
await probe.close();`,
    {
      home,
      env: {
        GOODSEED_MONITOR_INTERVAL_MS: "100",
        // No real nvidia-smi of this machine answers instead of (or besides) the fakes.
        PATH: onlyFakes(binDir ?? join(home, "no-gpu-tools")),
        ...options.env,
      },
      timeoutMs: 45_000,
    },
  );
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  const contents = readRunFile(join(home, "projects/default/runs/hw.sqlite"));
  const ns = contents.configs
    .find((row) => row.path.endsWith("/hostname"))
    ?.path.replace(/\/hostname$/, "") as string;
  const series = (name: string) =>
    contents.metrics
      .filter((row) => row.path === `${ns}/${name}`)
      .map((row) => ({ step: row.step, y: row.y }));
  return { contents, ns, series };
}

describe("hardware metrics", () => {
  it("samples CPU and memory in the Worker while the main thread busy-loops", async () => {
    await using dir = tempDir();
    const { series, contents, ns } = await sampledRun(dir.path, undefined, { cpu: 5 });
    const cpu = series("cpu");
    expect(cpu.length).toBeGreaterThanOrEqual(5);
    expect(cpu.map((point) => point.step)).toEqual(cpu.map((_, index) => index));
    for (const point of cpu) expect(point.y as number).toBeGreaterThanOrEqual(0);
    // The busy main thread keeps one core of the machine busy (cpu is the whole
    // machine's use, in percent): at least half of one core's share.
    expect(Math.max(...cpu.map((point) => point.y as number))).toBeGreaterThan(50 / cpus().length);
    const memory = series("memory");
    expect(memory.length).toBe(cpu.length);
    expect(memory[0]?.y as number).toBeGreaterThan(0);
    expect(contents.metrics.some((row) => row.path === `${ns}/gpu`)).toBe(false);
  });

  it("reads two NVIDIA GPUs from nvidia-smi as gpu_0 and gpu_1", async () => {
    await using dir = tempDir();
    const bin = join(dir.path, "bin");
    fakeTool(bin, "nvidia-smi", { output: "45, 1024, 8192, 120.5\n90, 4096, 8192, 250.25" });
    const { series } = await sampledRun(dir.path, bin, {
      cpu: 1,
      calls: { tool: "nvidia-smi", count: 2 },
    });
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
    const { series } = await sampledRun(dir.path, bin, {
      cpu: 1,
      calls: { tool: "rocm-smi", count: 2 },
    });
    expect(series("gpu")[0]?.y).toBe(37);
    expect(series("gpu_memory")[0]?.y).toBe(12);
    expect(series("gpu_power")[0]?.y).toBe(88.4);
  });

  it("kills an nvidia-smi that hangs past the timeout and keeps sampling", async () => {
    await using dir = tempDir();
    const bin = join(dir.path, "bin");
    fakeTool(bin, "nvidia-smi", "hang");
    // Only one query runs at a time: a second start means the first was killed at its timeout.
    const { series } = await sampledRun(
      dir.path,
      bin,
      { cpu: 3, calls: { tool: "nvidia-smi", count: 2 } },
      { env: { GOODSEED_GPU_TIMEOUT_MS: "300" } },
    );
    expect(series("cpu").length).toBeGreaterThanOrEqual(3);
    expect(series("gpu")).toEqual([]);
  });

  it("samples CPU while nvidia-smi hangs, and neither waits for it at exit nor leaves it behind", async () => {
    await using dir = tempDir();
    const bin = join(dir.path, "bin");
    fakeTool(bin, "nvidia-smi", "hang");
    // The tool hangs for 60 s and its timeout is longer: the first query never ends.
    const { series } = await sampledRun(
      dir.path,
      bin,
      { cpu: 5, calls: { tool: "nvidia-smi", count: 1 } },
      { env: { GOODSEED_GPU_TIMEOUT_MS: "120000" } },
    );
    expect(series("cpu").length).toBeGreaterThanOrEqual(5);
    expect(series("gpu")).toEqual([]);
    const starts = readFileSync(join(bin, "nvidia-smi.calls"), "utf8").trim().split("\n");
    expect(starts).toHaveLength(1);
    // The hung tool did not outlive the run (it is killed when the last run closes).
    const alive = (pid: number) => {
      const stat = `/proc/${pid}/stat`;
      // A zombie waiting for its parent to reap it is dead too.
      return existsSync(stat) && /\) [^Z]/.test(readFileSync(stat, "utf8"));
    };
    await waitFor(() => !alive(Number(starts[0])), "the hung nvidia-smi to be killed");
  });

  it("skips the GPU part of a sample when nvidia-smi prints garbage or fails", async () => {
    for (const behaviour of ["garbage", "fail"] as const) {
      await using dir = tempDir();
      const bin = join(dir.path, "bin");
      fakeTool(bin, "nvidia-smi", behaviour);
      // Two starts: the first query's answer was read (and found wanting) before the second.
      const { series, contents, ns } = await sampledRun(dir.path, bin, {
        cpu: 2,
        calls: { tool: "nvidia-smi", count: 2 },
      });
      expect(series("cpu").length).toBeGreaterThanOrEqual(2);
      expect(contents.metrics.filter((row) => row.path.startsWith(`${ns}/gpu`))).toEqual([]);
    }
  });

  it("is off with captureHardwareMetrics: false", async () => {
    await using dir = tempDir();
    // The probe run beside it gets its samples meanwhile: the Worker was sampling.
    const { contents } = await sampledRun(
      dir.path,
      undefined,
      { cpu: 3 },
      { extra: ", captureHardwareMetrics: false" },
    );
    expect(contents.metrics).toEqual([]);
  });
});
