/**
 * What sits above the runs table: the column picker, grouping, the switches for
 * trashed runs, per-process keys and sweep views, the CSV export (built once, so
 * typing is never interrupted), and, while runs are selected, the bar that tags,
 * trashes or restores them all at once with an Undo.
 */

import type { RunSummary } from "./api.ts";
import type { Notices } from "./banner.ts";
import { ColumnPicker } from "./column-picker.ts";
import { h } from "./dom.ts";
import { type EditResult, editRuns, failures, type RunEdit } from "./edits-api.ts";
import type { RunsTable, TableParts } from "./runs-table.ts";
import { download } from "./save-file.ts";
import { isProcessMetric } from "./sweep-metric.ts";
import type { SweepViews } from "./sweep-views.ts";
import { toCsv } from "./table-export.ts";
import type { TableView } from "./table-view.ts";
import { runKey, type ViewState } from "./view-state.ts";

export interface ControlsHost {
  readonly view: ViewState;
  readonly table: TableView;
  changed(): void;
  /** Runs were written: fetch them again and redraw. */
  edited(runs: readonly RunSummary[]): Promise<void>;
  readonly notices: Notices;
}

function checkbox(
  label: string,
  checked: boolean,
  set: (on: boolean) => void,
): { label: HTMLElement; input: HTMLInputElement } {
  const input = h("input", {
    type: "checkbox",
    checked,
    onchange: (event: Event) => set((event.target as HTMLInputElement).checked),
  });
  return { label: h("label", { class: "switch" }, input, ` ${label}`), input };
}

export class TableControls implements TableParts {
  readonly top: HTMLElement;
  readonly #host: ControlsHost;
  readonly #table: RunsTable;
  readonly #sweep: SweepViews;
  readonly #groupKeys = h("datalist", { id: "group-keys" });
  #groupSignature = "";
  /** The controls that show the view's state, set again when the view is read back from the URL. */
  readonly #shown: { group: HTMLInputElement; switches: (() => void)[] };

  constructor(host: ControlsHost, table: RunsTable, sweep: SweepViews) {
    this.#host = host;
    this.#table = table;
    this.#sweep = sweep;
    const { view, table: state } = host;
    const picker = new ColumnPicker({
      choices: () => ({
        configKeys: table.configKeys(),
        // A process's hardware metrics belong to one run each: offered with the internals.
        metricPaths: table
          .metricPaths()
          .filter((path) => state.internals || !isProcessMetric(path)),
      }),
      taken: () => new Set(view.columns),
      add: (id) => {
        view.columns = [...view.columns, id];
        host.changed();
      },
    });
    const group = h("input", {
      list: "group-keys",
      value: state.group,
      placeholder: "a config, e.g. lr",
      "aria-label": "Group by config",
      onchange: (event: Event) => {
        state.group = (event.target as HTMLInputElement).value.trim();
        state.unfolded = [];
        host.changed();
      },
    });
    const flag = (label: string, key: "sweep" | "trashed" | "internals") => {
      const made = checkbox(label, state[key], (on) => {
        state[key] = on;
        host.changed();
      });
      return { label: made.label, show: () => (made.input.checked = state[key]) };
    };
    const switches = [
      flag("Sweep views", "sweep"),
      flag("Show trashed", "trashed"),
      flag("Show process and source keys", "internals"),
    ];
    this.#shown = { group, switches: switches.map((made) => made.show) };
    this.top = h(
      "div",
      { class: "toolbar table-controls" },
      picker.element,
      h("label", {}, "Group by ", group),
      this.#groupKeys,
      ...switches.map((made) => made.label),
      h(
        "button",
        {
          title: "The runs shown, with their columns, as a CSV file",
          onclick: () => {
            const { header, rows } = table.exportRows();
            download("goodseed-runs.csv", toCsv(header, rows), "text/csv");
          },
        },
        "Export CSV",
      ),
    );
  }

  /** Shows the table view's state in the controls (read back from the URL: Back, Forward). */
  showView(): void {
    this.#shown.group.value = this.#host.table.group;
    for (const show of this.#shown.switches) show();
  }

  above(rows: readonly RunSummary[]): Node[] {
    const keys = this.#table.configKeys();
    const signature = keys.join("\n");
    if (signature !== this.#groupSignature) {
      this.#groupSignature = signature;
      this.#groupKeys.replaceChildren(...keys.map((key) => h("option", { value: key })));
    }
    const nodes: Node[] = [];
    const bar = this.#selectionBar();
    if (bar) nodes.push(bar);
    if (this.#host.table.sweep) nodes.push(this.#sweep.render(this.#table.filtered(), rows));
    return nodes;
  }

  #selected(): RunSummary[] {
    const keys = new Set(this.#host.view.selected);
    return this.#table.runs.filter((run) => keys.has(runKey(run)));
  }

  /**
   * Writes `edit` to `runs` and says so, with Undo when `undo` is given (`undone` then
   * runs after it, with the runs written).
   */
  async #apply(
    runs: readonly RunSummary[],
    edit: RunEdit,
    done: string,
    undo?: RunEdit,
    undone?: (runs: readonly RunSummary[]) => void,
  ) {
    let results: EditResult[];
    try {
      results = await editRuns(runs, edit);
    } catch (error) {
      this.#host.notices.show(`Nothing was changed: ${(error as Error).message}`);
      return;
    }
    const written = runs.filter((run) =>
      results.some((r) => r.ok && r.project === run.project && r.run_id === run.run_id),
    );
    await this.#host.edited(runs);
    const problem = failures(results);
    if (written.length === 0) {
      this.#host.notices.show(problem);
      return;
    }
    const text = `${done.replace("{n}", `${written.length} run${written.length === 1 ? "" : "s"}`)}${problem ? ` (${problem})` : ""}`;
    this.#host.notices.show(
      text,
      undo
        ? {
            label: "Undo",
            run: () =>
              void this.#apply(written, undo, "Undone for {n}.").then(() => undone?.(written)),
          }
        : undefined,
    );
  }

  #selectionBar(): HTMLElement | undefined {
    const view = this.#host.view;
    const runs = this.#selected();
    if (view.selected.length === 0) return undefined;
    const tag = h("input", {
      type: "text",
      placeholder: "tag",
      "aria-label": "Tag for the selected runs",
      list: "tag-list",
    });
    const tagValue = () => tag.value.trim();
    const trashed = runs.filter((run) => run.trashed);
    return h(
      "div",
      { class: "toolbar selection", role: "group", "aria-label": "Selected runs" },
      h("strong", {}, `${view.selected.length} selected`),
      h(
        "button",
        {
          onclick: () => {
            view.selected = [];
            this.#host.changed();
          },
        },
        "Clear selection",
      ),
      tag,
      h(
        "button",
        {
          onclick: () => {
            const value = tagValue();
            if (value)
              void this.#apply(runs, { add_tags: [value] }, `Tagged {n} “${value}”.`, {
                remove_tags: [value],
              });
          },
        },
        "Add tag",
      ),
      h(
        "button",
        {
          onclick: () => {
            const value = tagValue();
            if (value)
              void this.#apply(runs, { remove_tags: [value] }, `Removed “${value}” from {n}.`, {
                add_tags: [value],
              });
          },
        },
        "Remove tag",
      ),
      h(
        "button",
        {
          class: "danger",
          onclick: () => {
            const live = runs.filter((run) => !run.trashed);
            view.selected = view.selected.filter((key) => !live.some((run) => runKey(run) === key));
            this.#host.changed();
            // Undo puts them back in the comparison too.
            void this.#apply(
              live,
              { trashed: true },
              "Moved {n} to the trash.",
              { trashed: false },
              (restored) => {
                view.selected = [...new Set([...view.selected, ...restored.map(runKey)])];
                this.#host.changed();
              },
            );
          },
        },
        "Move to trash",
      ),
      trashed.length > 0
        ? h(
            "button",
            {
              onclick: () =>
                void this.#apply(trashed, { trashed: false }, "Restored {n} from the trash.", {
                  trashed: true,
                }),
            },
            `Restore ${trashed.length}`,
          )
        : "",
    );
  }
}
