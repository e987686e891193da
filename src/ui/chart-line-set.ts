/**
 * The lines one chart draws from the traces on screen: a line per run's trace in the
 * run's colour of now, processes of a run told apart by dashes, and a folded group's
 * runs drawn as its mean.
 */

import { groupLine, type Line, type RunGroup, traceLine } from "./chart-lines.ts";
import { type ChartRun, runKey } from "./chart-run.ts";
import type { Trace, XMode } from "./chart-traces.ts";

/**
 * The most run lines a chart draws in full. Past this it is drawn lighter: no per-run
 * min/max bands, which only overlap into a haze that hides the lines (a group's band
 * is always drawn), and hairline strokes (chart-plot.ts), which Chromium rasterizes
 * far faster than wider ones. Redrawing a board of 11 charts of 30 runs took a median
 * of 370 ms in full, 302 ms without the bands, and about 220 ms with hairlines too.
 * @default 10
 */
export const MAX_FULL_LINES = 10;

/** How many of `lines` are runs' own (not groups' means). */
export function runLines(lines: readonly Pick<Line, "group">[]): number {
  return lines.filter((line) => !line.group).length;
}

/** `lines` without their runs' bands when there are too many to read them. */
function readableBands(lines: Line[]): Line[] {
  if (runLines(lines) <= MAX_FULL_LINES) return lines;
  return lines.map((line) => {
    if (line.group || !line.band) return line;
    const { band: _, ...bare } = line;
    return bare;
  });
}

/**
 * The lines of one chart from the traces on screen (`sources` beside them, in the same
 * order): a run's processes alternate solid and dashed, and when the board groups runs
 * a folded group's runs become its mean line.
 */
export function chartLines<R extends ChartRun>(
  traces: readonly Trace<R>[],
  sources: readonly { process?: string }[],
  mode: XMode,
  colorOf: (run: R) => string,
  groups: readonly RunGroup[] | undefined,
): Line[] {
  const processes = new Map<string, number>();
  const lines = traces.map((trace, index) => {
    const process = sources[index]?.process;
    let dashed = false;
    if (process) {
      const key = runKey(trace.run);
      const seen = processes.get(key) ?? 0;
      processes.set(key, seen + 1);
      dashed = seen % 2 === 1;
    }
    // The colour of now, not of the fetch: the page may learn of older runs later.
    return { ...traceLine(trace, mode, process, dashed), color: colorOf(trace.run) };
  });
  if (!groups) return readableBands(lines);
  return readableBands(
    groups.flatMap((group) => {
      const keys = new Set(group.keys);
      const members = lines.filter((_, index) => keys.has(runKey((traces[index] as Trace).run)));
      if (group.open) return members;
      return members.length > 0 ? [groupLine(group, members)] : [];
    }),
  );
}
