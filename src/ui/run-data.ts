/**
 * What the runs table shows beyond the run list: each run's configs (tags, config
 * columns) and the last, smallest and largest values of metric columns, fetched once,
 * four requests at a time so that charts keep connections of their own.
 */

import { api, type ConfigValue, num, pool, type RunSummary } from "./api.ts";
import type { Summary } from "./table-columns.ts";
import { runKey } from "./view-state.ts";

/** A metric series in three numbers: its last value and its finite extremes. */
export type MetricSummary = Record<Summary, number>;

const SEP = "\u0000";

export class RunData {
  readonly #configs = new Map<string, Record<string, ConfigValue>>();
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
    this.#configs.delete(key);
    this.#configRequests.delete(key);
    for (const path of run.metric_paths) this.#summaries.delete(`${key}${SEP}${path}`);
  }

  /** Forgets the metric summaries of `run` (a live run logged more), keeping its configs. */
  forgetSummaries(run: RunSummary): void {
    const key = runKey(run);
    for (const path of run.metric_paths) this.#summaries.delete(`${key}${SEP}${path}`);
  }

  /** Fetches the configs of `runs` not fetched (or being fetched) yet. */
  async loadConfigs(runs: readonly RunSummary[]): Promise<void> {
    await pool(runs, 4, (run) => {
      const key = runKey(run);
      if (this.#configs.has(key)) return Promise.resolve();
      let request = this.#configRequests.get(key);
      if (!request) {
        request = api.configs(run).then(
          (configs) => {
            this.#configs.set(key, configs);
          },
          () => {
            this.#configRequests.delete(key);
          },
        );
        this.#configRequests.set(key, request);
      }
      return request;
    });
  }

  /** Fetches the summary of each of `paths` that each of `runs` has. */
  async loadLastValues(runs: readonly RunSummary[], paths: readonly string[]): Promise<void> {
    const wanted = runs.flatMap((run) =>
      paths
        .filter((path) => run.metric_paths.includes(path) && this.summary(run, path) === undefined)
        .map((path) => ({ run, path })),
    );
    await pool(wanted, 4, async ({ run, path }) => {
      // pointCount=1 is one bucket over the whole series (its finite min and max) between
      // the first and the last point as they are: the series' last value.
      const series = await api.metrics(run, path, 1);
      const last = series.points[series.points.length - 1];
      if (!last) return;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const point of series.points) {
        const low = num(point.minY ?? point.value);
        const high = num(point.maxY ?? point.value);
        if (Number.isFinite(low)) min = Math.min(min, low);
        if (Number.isFinite(high)) max = Math.max(max, high);
      }
      this.#summaries.set(`${runKey(run)}${SEP}${path}`, {
        last: num(last.value),
        min: min === Number.POSITIVE_INFINITY ? Number.NaN : min,
        max: max === Number.NEGATIVE_INFINITY ? Number.NaN : max,
      });
    });
  }
}
