/**
 * The row that heads a group of runs in the runs table: a checkbox that selects the
 * group's runs for comparison, and a button that folds or unfolds them, with their count.
 */

import type { RunSummary } from "./api.ts";
import { leftOutNotice, MAX_COMPARED, withAdded } from "./compare-limit.ts";
import { h } from "./dom.ts";
import type { RunGroup } from "./run-groups.ts";
import type { TableView } from "./table-view.ts";
import { runKey, type ViewState } from "./view-state.ts";

/** What the group's head reads and changes. */
export interface GroupRowInput {
  readonly group: RunGroup<RunSummary>;
  /** Whether the group's runs are shown as rows below it. */
  readonly open: boolean;
  /** Keys of the runs chosen for comparison. */
  readonly selected: ReadonlySet<string>;
  /** The table's column count (the fold button spans all but the checkbox's). */
  readonly width: number;
  readonly view: ViewState;
  readonly table: TableView;
  /** The view changed: the page redraws. */
  changed(): void;
  /** Says something to the person (runs left out of the comparison). */
  notify(text: string): void;
}

/** The `<tr>` that heads `group`. */
export function groupRow(input: GroupRowInput): HTMLTableRowElement {
  const { group, open, selected, width, view } = input;
  const keys = group.runs.map(runKey);
  const all = keys.every((key) => selected.has(key));
  const some = keys.some((key) => selected.has(key));
  // A full comparison that holds some of the group's runs: the checkbox clears them
  // (adding could add none, and the box would never change).
  const clears = all || (some && selected.size >= MAX_COMPARED);
  const check = h("input", {
    type: "checkbox",
    "aria-label": clears
      ? `Stop comparing the runs of ${group.label}`
      : `Compare the runs of ${group.label}`,
    "data-focus-key": `group-check|${group.key}`,
    checked: all,
    onchange: () => {
      const mine = new Set(keys);
      const others = view.selected.filter((key) => !mine.has(key));
      if (clears) view.selected = others;
      else {
        const { selected: next, left } = withAdded(others, keys);
        view.selected = next;
        if (left > 0) input.notify(leftOutNotice(next.length - others.length, left));
      }
      input.changed();
    },
  });
  check.indeterminate = some && !all;
  return h(
    "tr",
    { class: "group", "data-group": group.key },
    h("td", {}, check),
    h(
      "td",
      { colspan: width - 1 },
      h(
        "button",
        {
          class: "fold",
          "aria-expanded": String(open),
          "data-focus-key": `group|${group.key}`,
          onclick: () => {
            const table = input.table;
            table.unfolded = open
              ? table.unfolded.filter((key) => key !== group.key)
              : [...table.unfolded, group.key];
            // The charts follow: a folded group draws its mean, an unfolded one its runs.
            input.changed();
          },
        },
        open ? "▾ " : "▸ ",
        group.label,
        h(
          "span",
          { class: "group-count" },
          ` ${group.runs.length} run${group.runs.length === 1 ? "" : "s"}`,
        ),
      ),
    ),
  );
}
