/**
 * What the runs table shows beyond the run list: each run's configs (tags, config
 * columns) and the last, smallest and largest values of metric columns, fetched once,
 * many runs per request (`/api/configs`, `/api/series`), so that a screen of rows is
 * one or two requests and charts keep the browser's connections.
 */

import { api, type ConfigValue, num, type RunSummary } from "./api.ts";
import type { Summary } from "./table-columns.ts";
import { runKey } from "./view-state.ts";

/** A metric series in three numbers: its last value and its finite extremes. */
export type MetricSummary = Record<Summary, number>;

const SEP = "\u0000";

export class RunData {
  readonly #configs = new Map<string, Record<string, ConfigValue>>();
  #configsVersion = 0;

  /** Moves whenever a run's configs arrive or are forgotten. */
  get configsVersion(): number {
    return this.#configsVersion;
  }
  readonly #configRequests = new Map<string, Promise<void>>();
  readonly #summaries = new Map<string, MetricSummary>();

  configsOf(run: RunSummary): Record<string, ConfigValue> | undefined {
    return this.#configs.get(runKey(run));
  }

  lastValue(run: RunSummary, path: string): number | undefined {
    return this.summary(run, path)?.last;
  }

  summary(run: RunSummary, path: string): MetricSummary | undefined {
    return this.#summaries.get(`${runKey(run)}${SEP}${path}`);
  }

  /** Forgets what was read of `run`, so that it is fetched again (a live run grew, an edit). */
  forget(run: RunSummary): void {
    const key = runKey(run);
    if (this.#configs.delete(key)) this.#configsVersion++;
    this.#configRequests.delete(key);
    for (const path of run.metric_paths) this.#summaries.delete(`${key}${SEP}${path}`);
  }

  /** Forgets the metric summaries of `run` (a live run logged more), keeping its configs. */
  forgetSummaries(run: RunSummary): void {
    const key = runKey(run);
    for (const path of run.metric_paths) this.#summaries.delete(`${key}${SEP}${path}`);
  }

  /**
   * Fetches the configs of `runs` not fetched (or being fetched) yet: all of them in
   * one `/api/configs` request (or a few, for thousands of runs).
   */
  async loadConfigs(runs: readonly RunSummary[]): Promise<void> {
    const waiting: Promise<void>[] = [];
    const wanted: RunSummary[] = [];
    for (const run of runs) {
      const key = runKey(run);
      if (this.#configs.has(key)) continue;
      const request = this.#configRequests.get(key);
      if (request) waiting.push(request);
      else wanted.push(run);
    }
    if (wanted.length > 0) {
      const batch = api.configsOf(wanted).then(
        (answers) => {
          wanted.forEach((run, index) => {
            const configs = answers[index];
            const key = runKey(run);
            if (configs) {
              this.#configs.set(key, configs);
              this.#configsVersion++;
            }
            // A run that went away is asked again should it come back.
            else this.#configRequests.delete(key);
          });
        },
        () => {
          for (const run of wanted) this.#configRequests.delete(runKey(run));
        },
      );
      for (const run of wanted) this.#configRequests.set(runKey(run), batch);
      waiting.push(batch);
    }
    await Promise.all(waiting);
  }

  /** Fetches the summary of each of `paths` that each of `runs` has. */
  async loadLastValues(runs: readonly RunSummary[], paths: readonly string[]): Promise<void> {
    const wanted = runs.flatMap((run) =>
      paths
        .filter((path) => run.metric_paths.includes(path) && this.summary(run, path) === undefined)
        .map((path) => ({ run, path })),
    );
    if (wanted.length === 0) return;
    // pointCount=1 is one bucket over the whole series (its finite min and max) between
    // the first and the last point as they are: the series' last value.
    const answers = await api.series(wanted, 1).catch(() => undefined);
    wanted.forEach(({ run, path }, index) => {
      const series = answers?.[index];
      const count = series?.step.length ?? 0;
      if (!series || count === 0) return;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < count; i++) {
        const low = num(series.minY[i]);
        const high = num(series.maxY[i]);
        if (Number.isFinite(low)) min = Math.min(min, low);
        if (Number.isFinite(high)) max = Math.max(max, high);
      }
      this.#summaries.set(`${runKey(run)}${SEP}${path}`, {
        last: num(series.value[count - 1]),
        min: min === Number.POSITIVE_INFINITY ? Number.NaN : min,
        max: max === Number.NEGATIVE_INFINITY ? Number.NaN : max,
      });
    });
  }
}
