/**
 * The runs table's header row: a sort button per sortable column, the checkbox that
 * selects (or clears) every run shown, and a remove button on each added column.
 */

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
  const selectAll = h("input", {
    type: "checkbox",
    "aria-label": allSelected ? "Clear the selection" : "Select every run shown",
    title: allSelected ? "Clear the selection" : "Select every run shown",
    "data-focus-key": "select-all",
    checked: allSelected,
    onchange: () => {
      const shownKeys = new Set(visibleKeys);
      view.selected = allSelected
        ? view.selected.filter((key) => !shownKeys.has(key))
        : [...new Set([...view.selected, ...visibleKeys])];
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
