/**
 * The table's groups as the charts draw them: the compared runs of each group, its
 * colour (that of its oldest run of all whose configs are here, not only the compared
 * ones, so that it keeps its colour whichever of its runs are ticked), a short label,
 * and whether it is unfolded (its runs drawn one by one).
 */

import type { RunSummary } from "./api.ts";
import type { GroupInput } from "./chart-board.ts";
import { oldestRun, type RunColors } from "./run-colors.ts";
import type { RunGroup } from "./run-groups.ts";
import { runKey } from "./view-state.ts";

/** What this needs of the runs table. */
export interface GroupingTable {
  readonly runs: RunSummary[];
  groups(runs: readonly RunSummary[]): RunGroup<RunSummary>[] | undefined;
  configsOf(run: RunSummary): unknown;
  isOpen(groupKey: string): boolean;
}

/** The groups of `runs` for the charts; undefined when the table does not group. */
export function chartGroups(
  table: GroupingTable,
  runs: readonly RunSummary[],
  colors: RunColors,
): GroupInput[] | undefined {
  const compared = table.groups(runs);
  if (!compared) return undefined;
  const known = table.groups(table.runs.filter((run) => table.configsOf(run))) ?? [];
  const everyGroup = new Map(known.map((group) => [group.key, group.runs]));
  return compared.map((group) => {
    const oldest = oldestRun(everyGroup.get(group.key) ?? group.runs);
    return {
      // Short in the legend (`lr = 0.001`); the table's group row says the whole path.
      label: group.label.replace(/^[^ ]*\//, ""),
      keys: group.runs.map(runKey),
      color: colors.of(oldest ?? `group:${group.key}`),
      open: table.isOpen(group.key),
    };
  });
}
