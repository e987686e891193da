/**
 * The parts of the URL that belong to the runs table beyond `view-state.ts`: grouping
 * and the unfolded groups, trashed runs, per-process keys, the sweep views and their axis ranges. Written next
 * to the other parameters, never over them.
 */

import type { AxisRange } from "./sweep-axes.ts";
import { writeQuery } from "./url-query.ts";

export interface TableView {
  /** Config key the table folds into groups by; "" for none. */
  group: string;
  /** The groups unfolded (their values as text): rows in the table, runs on the charts. */
  unfolded: string[];
  /** Show trashed runs too. */
  trashed: boolean;
  /** Show per-process (`monitoring/<id>/pid|hostname|tid`) and `source_code/*` keys. */
  internals: boolean;
  /** Show the sweep views (parallel coordinates and scatter). */
  sweep: boolean;
  /** Column id of the metric summary on the last parallel axis and the scatter's y. */
  metric: string;
  /** Config key on the scatter's x axis. */
  scatterX: string;
  logX: boolean;
  logY: boolean;
  /** Ranges dragged on parallel axes: they filter the table. */
  ranges: AxisRange[];
}

export function readTableView(search = location.search): TableView {
  const params = new URLSearchParams(search);
  const ranges: AxisRange[] = [];
  for (const text of params.getAll("range")) {
    const cut = text.lastIndexOf("|", text.lastIndexOf("|") - 1);
    const [low, high] = text
      .slice(cut + 1)
      .split("|")
      .map(Number);
    if (cut > 0 && Number.isFinite(low) && Number.isFinite(high))
      ranges.push({ key: text.slice(0, cut), low: low as number, high: high as number });
  }
  return {
    group: params.get("group") ?? "",
    unfolded: params.getAll("unfold"),
    trashed: params.get("trashed") === "1",
    internals: params.get("internals") === "1",
    sweep: params.get("sweep") === "1",
    metric: params.get("metric") ?? "",
    scatterX: params.get("sx") ?? "",
    logX: params.get("logx") === "1",
    logY: params.get("logy") === "1",
    ranges,
  };
}

export function writeTableView(table: TableView): void {
  const params = new URLSearchParams(location.search);
  const set = (key: string, value: string) => {
    if (value === "" || value === "0") params.delete(key);
    else params.set(key, value);
  };
  set("group", table.group);
  set("trashed", table.trashed ? "1" : "");
  set("internals", table.internals ? "1" : "");
  set("sweep", table.sweep ? "1" : "");
  set("metric", table.metric);
  set("sx", table.scatterX);
  set("logx", table.logX ? "1" : "");
  set("logy", table.logY ? "1" : "");
  params.delete("unfold");
  if (table.group) for (const value of table.unfolded) params.append("unfold", value);
  params.delete("range");
  for (const range of table.ranges)
    params.append("range", `${range.key}|${range.low}|${range.high}`);
  writeQuery(params);
}
