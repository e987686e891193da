/**
 * Which colour each run has: one per run in every view and on every visit, whatever
 * else is compared. Colours are dealt over every run the server lists, oldest first,
 * round the cycle of `RUN_COLORS`: the oldest run takes the colour its id hashes to,
 * each later run the next one on the cycle. So any 30 runs created one after another
 * (a sweep) have 30 different colours, runs started close together (likely compared
 * together) look clearly different (the cycle is arranged for it), and a new run never
 * changes an older run's colour: a run's colour depends only on the runs created
 * before it, never on what is selected. Pure.
 */

import { hash, RUN_COLORS } from "./chart-colors.ts";

/** What colouring needs of a run (a `RunSummary` has it). */
export interface ColoredRun {
  project: string;
  run_id: string;
  created_at?: string | null;
}

/** `project:runId`, the key colours are stored under (as `runKey` of view-state). */
export function colorKey(run: Pick<ColoredRun, "project" | "run_id">): string {
  return `${run.project}:${run.run_id}`;
}

/** Oldest first; runs without a creation time after all others, by key. */
function creationOrder(a: { key: string; created: string }, b: typeof a): number {
  if (a.created !== b.created) {
    if (!a.created) return 1;
    if (!b.created) return -1;
    return a.created < b.created ? -1 : 1;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Deals colours to `keys` (in creation order, oldest first): the index into `RUN_COLORS` of each. */
export function dealColors(keys: readonly string[]): number[] {
  const first = keys.length > 0 ? hash(keys[0] as string) : 0;
  return keys.map((_, i) => (first + i) % RUN_COLORS.length);
}

/** The colours of `runs` (any order), by `colorKey`. */
export function assignColors(runs: readonly ColoredRun[]): Map<string, string> {
  const ordered = runs
    .map((run) => ({ key: colorKey(run), created: run.created_at ?? "" }))
    .sort(creationOrder);
  const keys = [...new Set(ordered.map((item) => item.key))];
  const dealt = dealColors(keys);
  return new Map(keys.map((key, i) => [key, RUN_COLORS[dealt[i] as number] as string]));
}

/**
 * The page's run colours: learns the runs the server lists (again as the list grows)
 * and answers a run's colour. A run it does not know yet gets its hashed colour.
 */
export class RunColors {
  #colors = new Map<string, string>();
  #signature = "";
  #last: readonly ColoredRun[] | undefined;
  #pending: Promise<void> | undefined;
  #settle: (() => void) | undefined;
  #complete = false;

  /**
   * Says that the page knows only some runs yet (a linked view's projects): until the
   * whole list is learnt, or `waitMs` passed, `pending` answers a promise, so that
   * charts fetch meanwhile but first paint in the final colours.
   */
  hold(waitMs: number): void {
    if (this.#pending) return;
    this.#pending = new Promise<void>((resolve) => {
      this.#settle = resolve;
      setTimeout(() => this.#release(), waitMs);
    });
  }

  /** While colours may still change (see `hold`): resolves when they are final. */
  pending(): Promise<void> | undefined {
    return this.#pending;
  }

  #release(): void {
    this.#settle?.();
    this.#settle = undefined;
    this.#pending = undefined;
  }

  /**
   * Takes the runs the page knows (`complete`: every run the server lists); says whether
   * any known run's colour changed.
   */
  learn(runs: readonly ColoredRun[], complete = true): boolean {
    // A project's list after the whole one knows less than it.
    if (!complete && this.#complete) return false;
    if (complete) {
      this.#complete = true;
      queueMicrotask(() => this.#release());
    }
    // The page hands the same list back while nothing changed (every few seconds).
    if (runs === this.#last) return false;
    this.#last = runs;
    const signature = runs.map((run) => `${colorKey(run)}@${run.created_at ?? ""}`).join("|");
    if (signature === this.#signature) return false;
    this.#signature = signature;
    const next = assignColors(runs);
    const changed = [...this.#colors].some(([key, color]) => next.get(key) !== color);
    this.#colors = next;
    return changed;
  }

  /** The colour of a run, or of a key (`project:runId`, `group:label`). */
  of(run: ColoredRun | string): string {
    const key = typeof run === "string" ? run : colorKey(run);
    return this.#colors.get(key) ?? (RUN_COLORS[hash(key) % RUN_COLORS.length] as string);
  }
}

/**
 * The run a group takes its colour from: its oldest (then by key). Over every run of
 * the group that the page knows, not only the compared ones, a group keeps its colour
 * whichever of its runs are ticked, and groups never share a colour with each other
 * or with the runs of an unfolded group (within 30 runs in a row).
 */
export function oldestRun<R extends ColoredRun>(runs: readonly R[]): R | undefined {
  const created = (run: ColoredRun) => ({ key: colorKey(run), created: run.created_at ?? "" });
  return runs.reduce<R | undefined>(
    (oldest, run) =>
      oldest === undefined || creationOrder(created(run), created(oldest)) < 0 ? run : oldest,
    undefined,
  );
}
