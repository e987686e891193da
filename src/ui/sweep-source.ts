/** What the sweep views need of the page: the runs' values, the view state, and where to report. */

import type { RunSummary } from "./api.ts";
import type { Axis } from "./sweep-axes.ts";
import type { TableView } from "./table-view.ts";

export interface SweepSource {
  readonly table: TableView;
  changed(): void;
  focus(run: RunSummary): void;
  /** Config keys shown (per-process ones only when asked for). */
  configKeys(runs: readonly RunSummary[]): string[];
  metricPaths(runs: readonly RunSummary[]): string[];
  axisValue(run: RunSummary, key: string): unknown;
  /** The axes used, so that the table filters by their ranges. */
  setAxes(axes: Axis[]): void;
  /** A compared run's colour in the charts (undefined: the run is not compared). */
  comparedColor(run: RunSummary): string | undefined;
}
