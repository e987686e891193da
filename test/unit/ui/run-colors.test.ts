import { describe, expect, it } from "bun:test";
import { colorDistance, FAILED_RED, oklab, RUN_COLORS } from "../../../src/ui/chart-colors.ts";
import { assignColors, type ColoredRun, oldestRun, RunColors } from "../../../src/ui/run-colors.ts";

/** `count` runs of one sweep, created a minute apart from `startMinute`. */
function sweep(count: number, project = "sweep/lr", startMinute = 0): ColoredRun[] {
  return Array.from({ length: count }, (_, i) => ({
    project,
    run_id: `run-${String(i).padStart(3, "0")}`,
    created_at: new Date(Date.UTC(2026, 0, 5, 9, startMinute + i)).toISOString(),
  }));
}

function hue(color: string): number {
  const [, a, b] = oklab(color);
  return ((Math.atan2(b, a) * 180) / Math.PI + 360) % 360;
}

describe("the run palette", () => {
  it("has 30 colours that differ visibly, none of them red or close to the failed red", () => {
    expect(new Set(RUN_COLORS).size).toBe(30);
    let closest = Number.POSITIVE_INFINITY;
    for (const [i, a] of RUN_COLORS.entries())
      for (const b of RUN_COLORS.slice(i + 1)) closest = Math.min(closest, colorDistance(a, b));
    expect(closest).toBeGreaterThan(0.08);
    for (const color of RUN_COLORS) {
      // Red and its pinks: OKLCH hues from 330° round to 50°.
      const h = hue(color);
      expect(h >= 50 && h <= 330).toBe(true);
      expect(colorDistance(color, FAILED_RED)).toBeGreaterThan(0.1);
    }
  });
});

describe("assignColors", () => {
  it("gives 30 runs created one after another 30 different colours", () => {
    const colors = assignColors(sweep(30));
    expect(new Set(colors.values()).size).toBe(30);
  });

  it("gives every 30 runs in a row different colours in a long history", () => {
    const runs = sweep(200);
    const colors = assignColors(runs);
    for (let i = 0; i + 30 <= runs.length; i++) {
      const window = runs.slice(i, i + 30).map((run) => colors.get(`${run.project}:${run.run_id}`));
      expect(new Set(window).size).toBe(30);
    }
  });

  it("keeps any 4 runs started one after another clearly apart", () => {
    const runs = sweep(100);
    const dealt = assignColors(runs);
    const colors = runs.map((run) => dealt.get(`${run.project}:${run.run_id}`) as string);
    for (let i = 0; i + 4 <= colors.length; i++)
      for (let j = i + 1; j < i + 4; j++)
        expect(colorDistance(colors[i] as string, colors[j] as string)).toBeGreaterThan(0.14);
  });

  it("never changes a run's colour for newer runs, nor for the order runs are listed in", () => {
    const runs = sweep(40);
    const before = assignColors(runs.slice(0, 25));
    const after = assignColors([...runs].reverse());
    for (const [key, color] of before) expect(after.get(key)).toBe(color);
  });

  it("deals across projects by creation time, so interleaved sweeps do not clash", () => {
    const a = sweep(15, "a", 0);
    const b = sweep(15, "b", 0).map((run) => ({ ...run, created_at: `${run.created_at}x` }));
    const colors = assignColors([...a, ...b]);
    expect(new Set(colors.values()).size).toBe(30);
  });
});

describe("oldestRun", () => {
  it("picks the run created first, whatever the order runs come in", () => {
    const runs = sweep(5);
    expect(oldestRun([...runs].reverse())).toBe(runs[0] as ColoredRun);
    expect(oldestRun([{ project: "p", run_id: "no-time" }, runs[3] as ColoredRun])).toBe(
      runs[3] as ColoredRun,
    );
  });
});

describe("RunColors while the page knows only some runs", () => {
  it("holds first paints until the whole list is learnt, and a project's list after it changes nothing", async () => {
    const older = sweep(5, "old/project");
    const newer = sweep(3, "new/project", 60);
    const colors = new RunColors();
    colors.hold(60_000);
    const pending = colors.pending();
    expect(pending).toBeDefined();
    colors.learn(newer, false);
    expect(colors.pending()).toBe(pending as Promise<void>);
    expect(colors.learn([...older, ...newer])).toBe(true);
    await pending;
    expect(colors.pending()).toBeUndefined();
    const final = colors.of(newer[0] as ColoredRun);
    expect(final).toBe(assignColors([...older, ...newer]).get("new/project:run-000") as string);
    expect(colors.learn(newer, false)).toBe(false);
    expect(colors.of(newer[0] as ColoredRun)).toBe(final);
  });

  it("lets go after the wait when the whole list is slow", async () => {
    const colors = new RunColors();
    colors.hold(5);
    await colors.pending();
    expect(colors.pending()).toBeUndefined();
  });
});

describe("RunColors.compare", () => {
  const key = (run: ColoredRun) => `${run.project}:${run.run_id}`;

  it("tells apart compared runs dealt one colour, moving the newer, and only while compared", () => {
    const runs = sweep(61);
    const colors = new RunColors();
    colors.learn(runs);
    const [first, thirtyFirst, sixtyFirst] = [runs[0], runs[30], runs[60]] as [
      ColoredRun,
      ColoredRun,
      ColoredRun,
    ];
    const dealt = colors.of(thirtyFirst);
    expect(colors.of(first)).toBe(dealt);
    expect(colors.compare([key(thirtyFirst), key(first), key(sixtyFirst)])).toBe(false);
    // The oldest keeps its colour; the others take free ones, all three differ.
    expect(colors.of(first)).toBe(dealt);
    const shown = new Set([first, thirtyFirst, sixtyFirst].map((run) => colors.of(run)));
    expect(shown.size).toBe(3);
    // Compared alone (or with runs that do not clash), a run has its dealt colour again.
    expect(colors.compare([key(thirtyFirst), key(runs[31] as ColoredRun)])).toBe(true);
    expect(colors.of(thirtyFirst)).toBe(dealt);
  });

  it("keeps 30 compared runs from anywhere in a long history apart, never moving runs that do not clash", () => {
    const runs = sweep(300);
    const colors = new RunColors();
    colors.learn(runs);
    const picked = runs.filter((_, i) => i % 7 === 0).slice(0, 30);
    const dealt = new Map(picked.map((run) => [key(run), colors.of(run)]));
    colors.compare(picked.map(key));
    expect(new Set(picked.map((run) => colors.of(run))).size).toBe(30);
    // The oldest run of each dealt colour keeps it.
    const seen = new Set<string>();
    for (const run of picked) {
      const color = dealt.get(key(run)) as string;
      if (!seen.has(color)) expect(colors.of(run)).toBe(color);
      seen.add(color);
    }
  });

  it("moves nothing when the compared runs were dealt different colours", () => {
    const runs = sweep(30);
    const colors = new RunColors();
    colors.learn(runs);
    const before = runs.map((run) => colors.of(run));
    expect(colors.compare(runs.map(key).reverse())).toBe(false);
    expect(runs.map((run) => colors.of(run))).toEqual(before);
  });
});
