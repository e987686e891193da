/**
 * GPU usage from the tools that ship with the drivers: `nvidia-smi` for NVIDIA and
 * `rocm-smi` for AMD. A missing tool, a failure, garbage output or a hang (killed
 * after a timeout) gives no GPU metrics for that sample, silently.
 */

export type GpuMetrics = Record<string, number>;

const NVIDIA_QUERY = "utilization.gpu,memory.used,memory.total,power.draw";

/** Rounds to one decimal as Python's round(x, 1) does: exact halves go to the even digit. */
function round1(value: number): number {
  const scaled = value * 10;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  if (Math.abs(fraction - 0.5) < 1e-9) return (floor % 2 === 0 ? floor : floor + 1) / 10;
  return Math.round(scaled) / 10;
}

/** Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`: one line per GPU. */
export function parseNvidia(output: string): GpuMetrics[] {
  const gpus: GpuMetrics[] = [];
  for (const line of output.trim().split(/\r?\n/)) {
    const parts = line.split(",").map((part) => part.trim());
    if (parts.length < 4) continue;
    const [util, used, total, power] = parts.map(Number) as [number, number, number, number];
    if (![util, used, total, power].every(Number.isFinite)) continue;
    const metrics: GpuMetrics = { gpu: util };
    if (total > 0) metrics.gpu_memory = round1((used / total) * 100);
    metrics.gpu_power = round1(power);
    gpus.push(metrics);
  }
  return gpus;
}

function percentOf(card: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    if (key in card) {
      const value = Number.parseFloat(String(card[key]).replace(/%$/, ""));
      return Number.isFinite(value) ? value : undefined;
    }
  }
  return undefined;
}

/** Parses `rocm-smi --showuse --showmemuse --showpower --json`: one object per card. */
export function parseRocm(output: string): GpuMetrics[] {
  let data: unknown;
  try {
    data = JSON.parse(output);
  } catch {
    return [];
  }
  if (typeof data !== "object" || data === null) return [];
  const gpus: GpuMetrics[] = [];
  for (const [, card] of Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (typeof card !== "object" || card === null) continue;
    const fields = card as Record<string, unknown>;
    const metrics: GpuMetrics = {};
    const use = percentOf(fields, ["GPU use (%)", "GPU Usage (%)", "GPU use"]);
    const memory = percentOf(fields, [
      "GPU Memory Allocated (VRAM%)",
      "GPU memory use (%)",
      "VRAM Usage (%)",
      "GPU memory use",
    ]);
    const power = percentOf(fields, [
      "Current Socket Graphics Package Power (W)",
      "Average Graphics Package Power (W)",
    ]);
    if (use !== undefined) metrics.gpu = use;
    if (memory !== undefined) metrics.gpu_memory = memory;
    if (power !== undefined) metrics.gpu_power = round1(power);
    if (Object.keys(metrics).length > 0) gpus.push(metrics);
  }
  return gpus;
}

/** One GPU's metrics as they are; several get `_0`, `_1`, … suffixes. */
export function flattenGpus(gpus: readonly GpuMetrics[]): GpuMetrics {
  if (gpus.length === 1) return { ...(gpus[0] as GpuMetrics) };
  const flat: GpuMetrics = {};
  gpus.forEach((gpu, index) => {
    for (const [key, value] of Object.entries(gpu)) flat[`${key}_${index}`] = value;
  });
  return flat;
}

/** Runs a tool with a timeout; its stdout, or undefined on any failure. */
async function run(
  command: string[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (signal.aborted) return undefined;
  try {
    const child = Bun.spawn(command, {
      stdout: "pipe",
      stderr: "ignore",
      stdin: "ignore",
      timeout: timeoutMs,
      killSignal: "SIGKILL",
      signal,
    });
    const [text, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    return code === 0 ? text : undefined;
  } catch {
    return undefined;
  }
}

/** GPU metrics from whichever tool is on PATH (NVIDIA first), flattened; {} when none. */
export async function sampleGpus(timeoutMs: number, signal: AbortSignal): Promise<GpuMetrics> {
  const nvidia = Bun.which("nvidia-smi");
  if (nvidia) {
    const output = await run(
      [nvidia, `--query-gpu=${NVIDIA_QUERY}`, "--format=csv,noheader,nounits"],
      timeoutMs,
      signal,
    );
    const gpus = output === undefined ? [] : parseNvidia(output);
    if (gpus.length > 0) return flattenGpus(gpus);
  }
  const rocm = Bun.which("rocm-smi");
  if (rocm) {
    const output = await run(
      [rocm, "--showuse", "--showmemuse", "--showpower", "--json"],
      timeoutMs,
      signal,
    );
    const gpus = output === undefined ? [] : parseRocm(output);
    if (gpus.length > 0) return flattenGpus(gpus);
  }
  return {};
}
