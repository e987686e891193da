/** A finished run of project `p` as the pure chart modules take it (`ChartRun`). */

import type { ChartRun } from "../../src/ui/chart-run.ts";

export function chartRun(id: string, paths: string[] = []): ChartRun {
  return {
    project: "p",
    run_id: id,
    experiment_name: null,
    created_at: null,
    status: "finished",
    metric_paths: paths,
  };
}
