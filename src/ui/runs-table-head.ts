/**
 * The runs table's header row: a sort button per sortable column, the checkbox that
 * selects (or clears) every run shown, and a remove button on each added column.
 */

import { leftOutNotice, MAX_COMPARED, withAdded } from "./compare-limit.ts";
import { h } from "./dom.ts";
import { zoneLabel } from "./local-time.ts";
import { type Column, columnTitle, shortLabels } from "./table-columns.ts";
import type { ViewState } from "./view-state.ts";

/** What the header reads and changes. */
export interface HeadInput {
  readonly view: ViewState;
  readonly columns: readonly Column[];
  /** Keys of the runs that pass the filters (what "select all" selects). */
  readonly visibleKeys: readonly string[];
  /** Keys of the runs chosen for comparison. */
  readonly selected: ReadonlySet<string>;
  /** The view changed: the page redraws. */
  changed(): void;
  /** Says something to the person (runs left out of the comparison). */
  notify(text: string): void;
}

/** The `<thead>` of the runs table. */
export function tableHead(input: HeadInput): HTMLTableSectionElement {
  const { view, columns, visibleKeys, selected } = input;
  const labels = shortLabels(columns);
  const header = (label: string, sortKey: string, title?: string) => {
    const active = view.sort === sortKey;
    return h(
      "th",
      {
        scope: "col",
        "aria-sort": active ? (view.descending ? "descending" : "ascending") : undefined,
      },
      h(
        "button",
        {
          class: "sort",
          title,
          "data-focus-key": `sort|${sortKey}`,
          onclick: () => {
            view.descending = active ? !view.descending : sortKey === "created";
            view.sort = sortKey;
            input.changed();
          },
        },
        label,
        active ? (view.descending ? " ▾" : " ▴") : "",
      ),
    );
  };
  const allSelected = visibleKeys.length > 0 && visibleKeys.every((key) => selected.has(key));
  const someSelected = visibleKeys.some((key) => selected.has(key));
  // A full comparison that holds some of these runs: the checkbox clears them.
  const clears = allSelected || (someSelected && selected.size >= MAX_COMPARED);
  const selectAll = h("input", {
    type: "checkbox",
    "aria-label": clears ? "Clear the selection" : "Select every run shown",
    title: clears ? "Clear the selection" : "Select every run shown",
    "data-focus-key": "select-all",
    checked: allSelected,
    onchange: () => {
      if (clears) {
        const shownKeys = new Set(visibleKeys);
        view.selected = view.selected.filter((key) => !shownKeys.has(key));
      } else {
        const before = view.selected.length;
        const { selected: next, left } = withAdded(view.selected, visibleKeys);
        view.selected = next;
        if (left > 0) input.notify(leftOutNotice(next.length - before, left));
      }
      input.changed();
    },
  });
  selectAll.indeterminate = someSelected && !allSelected;
  return h(
    "thead",
    {},
    h(
      "tr",
      {},
      h("th", { scope: "col" }, selectAll),
      header("Run", "run"),
      header("Name", "name"),
      h("th", { scope: "col" }, "Project"),
      header("Status", "status"),
      header("Created (local)", "created", `Creation time, ${zoneLabel()}`),
      header("Duration", "duration"),
      h("th", { scope: "col" }, "Tags"),
      ...columns.map((column, index) => {
        const cell = header(labels[index] as string, column.id, columnTitle(column));
        cell.classList.add("extra");
        cell.append(
          h(
            "button",
            {
              class: "remove",
              title: `Remove column ${column.key}`,
              "aria-label": `Remove column ${columnTitle(column)}`,
              onclick: () => {
                view.columns = view.columns.filter((c) => c !== column.id);
                input.changed();
              },
            },
            "×",
          ),
        );
        return cell;
      }),
    ),
  );
}
