/**
 * What a chart draws, whatever it came from: a run's trace on the chosen x axis, or a
 * group's mean over its runs with the min–max band around it.
 */

import { unionOf } from "./chart-math.ts";
import { hiddenXs, type Trace, traceCounts, traceXs, type XMode } from "./chart-traces.ts";

export interface Line {
  /** Stable id of the line: run key (plus path for system charts), or group label. */
  key: string;
  /** Short name for legends and the hover list. */
  label: string;
  /** Long name (run id, project, process) for the hover title. */
  title: string;
  color: string;
  xs: number[];
  ys: number[];
  /** Logged points each point stands for (downsampled buckets), for smoothing. */
  counts: number[];
  /** Filled behind the line: a downsampled run's min/max, or a group's spread. */
  band?: { mins: number[]; maxs: number[] };
  dashed?: boolean;
  /** Still being written: its last point is the latest, not where it ended. */
  live?: boolean;
  /** A group's mean over its runs (its band is their spread), not one run's line. */
  group?: boolean;
  /** NaN and ±Infinity points its downsampled buckets leave out: marked, not drawn. */
  hidden?: { xs: number[]; ys: number[] };
}

/** A run's line on one chart: its name as label, the run id and process on hover. */
export function traceLine(trace: Trace, mode: XMode, process?: string, dashed = false): Line {
  const run = trace.run;
  const name =
    run.experiment_name && run.experiment_name !== run.run_id ? run.experiment_name : run.run_id;
  const line: Line = {
    key: `${run.project}:${run.run_id}${process ? `:${trace.path}` : ""}`,
    label: process ? `${name} · ${process}` : name,
    title: `${run.run_id} (${run.project})${process ? `, process ${process}` : ""}`,
    color: trace.color,
    xs: traceXs(trace, mode),
    ys: trace.values,
    counts: traceCounts(trace),
    dashed,
    live: run.status === "running",
  };
  if (trace.downsampled) line.band = { mins: trace.mins, maxs: trace.maxs };
  if (trace.nonFinite) line.hidden = { xs: hiddenXs(trace, mode), ys: trace.nonFinite.values };
  return line;
}

/** A group of runs to draw as one line. */
export interface RunGroup {
  label: string;
  /** Run keys (`project:runId`). */
  keys: string[];
  color: string;
  /** Unfolded: its runs are drawn one by one instead of its mean. */
  open?: boolean;
}

/**
 * The mean of `members` at every x any of them has, each member's value taken by
 * linear interpolation inside its own x range (a member never counts outside the
 * range it logged), with the min and max across members as the band.
 */
export function groupLine(group: RunGroup, members: readonly Line[]): Line {
  const xs = unionOf(members.map((member) => member.xs));
  const ys: number[] = [];
  const mins: number[] = [];
  const maxs: number[] = [];
  const cursors = members.map(() => 0);
  const keptXs: number[] = [];
  for (const x of xs) {
    let sum = 0;
    let count = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    members.forEach((member, m) => {
      const mx = member.xs;
      if (mx.length === 0 || x < (mx[0] as number) || x > (mx[mx.length - 1] as number)) return;
      let at = cursors[m] as number;
      while (at + 1 < mx.length && (mx[at + 1] as number) <= x) at++;
      cursors[m] = at;
      const x0 = mx[at] as number;
      const y0 = member.ys[at] as number;
      let value = y0;
      if (x0 !== x && at + 1 < mx.length) {
        const x1 = mx[at + 1] as number;
        const y1 = member.ys[at + 1] as number;
        value = y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
      }
      if (!Number.isFinite(value)) return;
      sum += value;
      count++;
      if (value < min) min = value;
      if (value > max) max = value;
    });
    if (count === 0) continue;
    keptXs.push(x);
    ys.push(sum / count);
    mins.push(min);
    maxs.push(max);
  }
  return {
    key: `group:${group.label}`,
    label: `${group.label} (${members.length})`,
    title: `mean of ${group.keys.length} runs: ${group.keys.join(", ")}`,
    color: group.color,
    xs: keptXs,
    ys,
    counts: keptXs.map(() => 1),
    band: { mins, maxs },
    group: true,
  };
}
