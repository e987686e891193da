/**
 * What this host can tell about a process by its pid: whether it is alive (a stopped
 * process is alive, a zombie is not) and when it started, so that a pid reused by
 * another program is not taken for the writer that recorded it.
 */

import { readFileSync } from "node:fs";

/** The operating system's view of a pid. */
export interface ProcessProbe {
  /** Whether a process with this pid exists and has not exited. */
  alive(pid: number): boolean;
  /** When the process started, in ms since the epoch (to about a second); undefined if unknown. */
  startedAtMs(pid: number): number | undefined;
}

/** Linux's `/proc/<pid>/stat`: the state letter (field 3) and the start time (field 22, in ticks). */
function procStat(pid: number): { state: string; startTicks: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const startTicks = Number(fields[19]);
  const state = fields[0];
  if (state === undefined || !Number.isFinite(startTicks)) return undefined;
  return { state, startTicks };
}

let bootTimeMs: number | undefined;

function bootMs(): number | undefined {
  if (bootTimeMs !== undefined) return bootTimeMs;
  try {
    const match = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "latin1"));
    if (match) bootTimeMs = Number(match[1]) * 1000;
  } catch {
    // not Linux
  }
  return bootTimeMs;
}

/** Clock ticks per second of `/proc` times: 100 on every Linux build that matters (USER_HZ). */
const USER_HZ = 100;

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `ps` where there is no `/proc` (macOS, the BSDs). */
function psStart(pid: number): number | undefined {
  try {
    const result = Bun.spawnSync(["ps", "-o", "lstart=", "-p", String(pid)], {
      stdout: "pipe",
      stderr: "ignore",
      env: { ...process.env, LC_ALL: "C", TZ: "UTC" },
    });
    const text = result.stdout.toString().trim();
    if (result.exitCode !== 0 || text === "") return undefined;
    const parsed = Date.parse(`${text} UTC`);
    return Number.isNaN(parsed) ? undefined : parsed;
  } catch {
    return undefined;
  }
}

export const systemProbe: ProcessProbe = {
  alive(pid) {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    if (!signalZero(pid)) return false;
    const stat = procStat(pid);
    return stat === undefined || (stat.state !== "Z" && stat.state !== "X");
  },
  startedAtMs(pid) {
    if (process.platform === "win32") return undefined;
    const stat = procStat(pid);
    if (stat) {
      const boot = bootMs();
      return boot === undefined ? undefined : boot + (stat.startTicks * 1000) / USER_HZ;
    }
    return process.platform === "linux" ? undefined : psStart(pid);
  },
};
