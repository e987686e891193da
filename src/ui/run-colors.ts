/**
 * Which colour each run has: one per run in every view and on every visit, whatever
 * else is compared. Colours are dealt over every run the server lists, oldest first,
 * round the cycle of `RUN_COLORS`: the oldest run takes the colour its id hashes to,
 * each later run the next one on the cycle. So any 30 runs created one after another
 * (a sweep) have 30 different colours, runs started close together (likely compared
 * together) look clearly different (the cycle is arranged for it), and a new run never
 * changes an older run's colour: a run's colour depends only on the runs created
 * before it, never on what is selected. Only where two compared runs were dealt the
 * same colour (more than 30 runs apart) does the newer one take the nearest free
 * colour on the cycle, in that comparison alone (`RunColors.compare`). Pure.
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

/** The keys of `runs` (any order) in creation order, oldest first, once each. */
function inCreationOrder(runs: readonly ColoredRun[]): string[] {
  const ordered = runs
    .map((run) => ({ key: colorKey(run), created: run.created_at ?? "" }))
    .sort(creationOrder);
  return [...new Set(ordered.map((item) => item.key))];
}

/** The colours of `runs` (any order), by `colorKey`. */
export function assignColors(runs: readonly ColoredRun[]): Map<string, string> {
  const keys = inCreationOrder(runs);
  const dealt = dealColors(keys);
  return new Map(keys.map((key, i) => [key, RUN_COLORS[dealt[i] as number] as string]));
}

/**
 * The compared runs whose dealt colour an older compared run already has, with the
 * colour each takes instead: the next one on the cycle that no compared run has. `keys`
 * come oldest first; `colorOf` answers a key's dealt colour. Past 30 runs, colours repeat.
 */
export function resolveClashes(
  keys: readonly string[],
  colorOf: (key: string) => string,
): Map<string, string> {
  const taken = new Set(keys.map(colorOf));
  const used = new Set<string>();
  const moved = new Map<string, string>();
  for (const key of keys) {
    const color = colorOf(key);
    if (!used.has(color)) {
      used.add(color);
      continue;
    }
    const start = (RUN_COLORS as readonly string[]).indexOf(color);
    for (let step = 1; step < RUN_COLORS.length; step++) {
      const next = RUN_COLORS[(start + step) % RUN_COLORS.length] as string;
      // A free colour no compared run was dealt first, else any not taken yet.
      if (!taken.has(next) && !used.has(next)) {
        used.add(next);
        moved.set(key, next);
        break;
      }
    }
  }
  return moved;
}

/**
 * The page's run colours: learns the runs the server lists (again as the list grows)
 * and answers a run's colour. A run it does not know yet gets its hashed colour.
 */
export class RunColors {
  #colors = new Map<string, string>();
  /** Where compared runs clash: the colour the newer ones take instead. */
  #moved = new Map<string, string>();
  #compared: readonly string[] = [];
  #order = new Map<string, number>();
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
    const before = new Map([...this.#colors].map(([key]) => [key, this.of(key)]));
    this.#order = new Map(inCreationOrder(runs).map((key, i) => [key, i]));
    this.#colors = assignColors(runs);
    this.#resolve();
    return [...before].some(([key, color]) => this.of(key) !== color);
  }

  /**
   * Takes the keys of the compared runs (any order); says whether any compared run's
   * colour changed (one that clashed with another compared run).
   */
  compare(keys: readonly string[]): boolean {
    const before = new Map(this.#compared.map((key) => [key, this.of(key)]));
    this.#compared = [...keys];
    this.#resolve();
    return this.#compared.some((key) => before.has(key) && before.get(key) !== this.of(key));
  }

  #resolve(): void {
    const last = this.#order.size;
    const rank = (key: string) => this.#order.get(key) ?? last;
    const keys = [...new Set(this.#compared)].sort(
      (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
    );
    this.#moved = resolveClashes(keys, (key) => this.#dealt(key));
  }

  #dealt(key: string): string {
    return this.#colors.get(key) ?? (RUN_COLORS[hash(key) % RUN_COLORS.length] as string);
  }

  /** The colour of a run, or of a key (`project:runId`, `group:label`). */
  of(run: ColoredRun | string): string {
    const key = typeof run === "string" ? run : colorKey(run);
    return this.#moved.get(key) ?? this.#dealt(key);
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
