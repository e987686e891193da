/**
 * CPU and memory as the monitoring paths `cpu` and `memory` hold them (FORMAT.md §8):
 * system-wide CPU percent since the previous sample, and the resident memory of this
 * process and its descendants in GB, rounded to 0.01.
 */

import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

interface CpuTimes {
  busy: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

/** System CPU percent between successive calls (the first one measures since the meter was made). */
export class CpuMeter {
  #last = cpuTimes();

  sample(): number {
    const now = cpuTimes();
    const busy = now.busy - this.#last.busy;
    const total = now.total - this.#last.total;
    this.#last = now;
    if (total <= 0) return 0;
    return Math.round((busy / total) * 1000) / 10;
  }
}

function linuxRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0; // the process is gone
  }
}

function rssOfLinuxTree(root: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === root) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The parent pid follows the command name, which may hold spaces and parentheses.
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(parent) ?? [];
      list.push(pid);
      children.set(parent, list);
    } catch {
      // the process is gone
    }
  }
  let total = 0;
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += linuxRssBytes(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return total > 0 ? total : undefined;
}

/** Resident memory of this process and its descendants, in GB (2^30 bytes) rounded to 0.01. */
export function processTreeMemoryGb(): number {
  const bytes =
    (process.platform === "linux" ? rssOfLinuxTree(process.pid) : undefined) ??
    process.memoryUsage.rss();
  return Math.round((bytes / 2 ** 30) * 100) / 100;
}
