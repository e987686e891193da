/**
 * The charts' compact legend: a swatch and a name per compared run, or per folded group
 * (its mean, with the count of its runs) when the table groups them.
 */

import type { RunSummary } from "./api.ts";
import type { RunGroup } from "./chart-lines.ts";
import { h } from "./dom.ts";
import { runKey } from "./view-state.ts";

/** Fills `legend` with the items of `runs`, or of `groups` when the charts draw groups. */
export function renderLegend(
  legend: HTMLElement,
  runs: readonly RunSummary[],
  groups: readonly RunGroup[] | undefined,
  colorOf: (run: RunSummary) => string,
): void {
  const runItem = (run: RunSummary, group = "") => ({
    color: colorOf(run),
    label: run.experiment_name || run.run_id,
    title: `${run.run_id} (${run.project})${group ? `, ${group}` : ""}`,
  });
  const items = groups
    ? groups.flatMap((group) =>
        group.open
          ? runs
              .filter((run) => group.keys.includes(runKey(run)))
              .map((run) => runItem(run, group.label))
          : [
              {
                color: group.color,
                label: `${group.label} (${group.keys.length})`,
                title: `mean of ${group.keys.join(", ")}`,
              },
            ],
      )
    : runs.map((run) => runItem(run));
  legend.classList.toggle("compact", items.length > 8);
  legend.replaceChildren(
    ...items.map((item) =>
      h(
        "li",
        { title: item.title },
        h("span", { class: "swatch", style: `background:${item.color}` }),
        item.label,
      ),
    ),
  );
}
