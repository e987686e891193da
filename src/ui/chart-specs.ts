/**
 * Which charts the compared runs get: one per metric path, except hardware metrics
 * (`monitoring/<process>/cpu`, `memory`, `gpu_0`, …), which every process of every run
 * logs under its own prefix: those gather into one System chart per quantity (and per
 * GPU), with its unit, so that compared runs overlay whichever process logged them.
 */

import type { ChartRun } from "./chart-run.ts";

/** One line source: a path of a run. */
export interface ChartSource<R extends ChartRun = ChartRun> {
  run: R;
  path: string;
  /** The process that logged it, for system charts. */
  process?: string;
}

export interface ChartSpec<R extends ChartRun = ChartRun> {
  /** Stable key (URL, data-path): the metric path, or `System/<quantity>`. */
  key: string;
  title: string;
  /** The collapsible section: the path's first segment, or "System". */
  section: string;
  unit: string;
  system: boolean;
  sources: ChartSource<R>[];
}

export const SYSTEM = "System";

const HARDWARE = /^monitoring\/([^/]+)\/(cpu|memory|gpu|gpu_memory|gpu_power)(?:_(\d+))?$/;

const QUANTITIES: Record<string, { title: string; unit: string }> = {
  cpu: { title: "CPU", unit: "%" },
  memory: { title: "Memory RSS", unit: "GB" },
  gpu: { title: "GPU utilization", unit: "%" },
  gpu_memory: { title: "GPU memory", unit: "%" },
  gpu_power: { title: "GPU power", unit: "W" },
};

/** The system chart a path belongs to, if it is a hardware metric. */
export function systemChart(
  path: string,
): { key: string; title: string; unit: string; process: string } | undefined {
  const match = HARDWARE.exec(path);
  if (!match) return undefined;
  const [, process, quantity, device] = match as unknown as [string, string, string, string?];
  const about = QUANTITIES[quantity] as { title: string; unit: string };
  const suffix = device === undefined ? "" : ` ${device}`;
  const name = device === undefined ? quantity : `${quantity}_${device}`;
  const title = quantity.startsWith("gpu")
    ? about.title.replace("GPU", `GPU${suffix || ""}`)
    : about.title;
  return { key: `${SYSTEM}/${name}`, title, unit: about.unit, process };
}

/** Section of a user metric path: its first segment. */
function sectionOf(path: string): string {
  const slash = path.indexOf("/");
  return slash > 0 ? path.slice(0, slash) : path;
}

/** The charts of `runs`, user metrics by path, then the system charts. */
export function chartSpecs<R extends ChartRun>(runs: readonly R[]): ChartSpec<R>[] {
  const specs = new Map<string, ChartSpec<R>>();
  for (const run of runs) {
    for (const path of run.metric_paths) {
      const system = systemChart(path);
      const key = system ? system.key : path;
      let spec = specs.get(key);
      if (!spec) {
        spec = system
          ? {
              key,
              title: system.title,
              section: SYSTEM,
              unit: system.unit,
              system: true,
              sources: [],
            }
          : { key, title: path, section: sectionOf(path), unit: "", system: false, sources: [] };
        specs.set(key, spec);
      }
      spec.sources.push(system ? { run, path, process: system.process } : { run, path });
    }
  }
  return [...specs.values()].sort((a, b) =>
    a.system !== b.system ? (a.system ? 1 : -1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
}

/** Section names in display order: user sections alphabetically, System last. */
export function sectionsOf(specs: readonly ChartSpec[]): string[] {
  const names = [...new Set(specs.map((spec) => spec.section))];
  return names.sort((a, b) => (a === SYSTEM ? 1 : b === SYSTEM ? -1 : a < b ? -1 : a > b ? 1 : 0));
}

/** Whether a chart matches the filter box: every word, case-insensitive, in its key or title. */
export function matchesFilter(spec: ChartSpec, filter: string): boolean {
  const words = filter
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== "");
  const text = `${spec.key} ${spec.title}`.toLowerCase();
  return words.every((word) => text.includes(word));
}
