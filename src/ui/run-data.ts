/**
 * What the runs table shows beyond the run list: each run's configs (tags, config
 * columns) and the last values of metric columns, fetched once, four requests at a
 * time so that charts keep connections of their own.
 */

import { api, type ConfigValue, num, pool, type RunSummary } from "./api.ts";
import { runKey } from "./view-state.ts";

export class RunData {
  readonly #configs = new Map<string, Record<string, ConfigValue>>();
  readonly #configRequests = new Map<string, Promise<void>>();
  readonly #lastValues = new Map<string, number>();

  configsOf(run: RunSummary): Record<string, ConfigValue> | undefined {
    return this.#configs.get(runKey(run));
  }

  lastValue(run: RunSummary, path: string): number | undefined {
    return this.#lastValues.get(`${runKey(run)}\u0000${path}`);
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

  /** Fetches the last value of each of `paths` that each of `runs` has. */
  async loadLastValues(runs: readonly RunSummary[], paths: readonly string[]): Promise<void> {
    const wanted = runs.flatMap((run) =>
      paths
        .filter(
          (path) => run.metric_paths.includes(path) && this.lastValue(run, path) === undefined,
        )
        .map((path) => ({ run, path })),
    );
    await pool(wanted, 4, async ({ run, path }) => {
      // pointCount=1 ends with the last point as it is: the series' last value.
      const series = await api.metrics(run, path, 1);
      const last = series.points[series.points.length - 1];
      if (last) this.#lastValues.set(`${runKey(run)}\u0000${path}`, num(last.value));
    });
  }
}
