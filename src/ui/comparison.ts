/**
 * The comparison under the table: the charts of the compared runs (grouped as the table
 * groups them) and, for more than one run, their config diff.
 */

import type { RunSummary } from "./api.ts";
import type { ChartBoard } from "./chart-board.ts";
import { chartGroups } from "./chart-groups.ts";
import { configDiff } from "./config-diff.ts";
import { h } from "./dom.ts";
import { whenIdle } from "./next-frame.ts";
import type { RunColors } from "./run-colors.ts";
import type { RunsTable } from "./runs-table.ts";
import type { TableView } from "./table-view.ts";

/** What the comparison draws from. */
export interface ComparisonInput {
  readonly board: ChartBoard;
  readonly table: RunsTable;
  readonly tableView: TableView;
  readonly colors: RunColors;
  /** The runs to compare now. */
  runs(): RunSummary[];
}

export class Comparison {
  readonly element = h("section", { class: "compare", "aria-label": "Comparison" });
  readonly #input: ComparisonInput;
  #showAllConfigs = false;
  #chartGroupsShown = "";

  constructor(input: ComparisonInput) {
    this.#input = input;
  }

  /** Draws the comparison; resolves when the charts on screen have drawn. */
  render(): Promise<unknown> {
    const { board, table, tableView } = this.#input;
    const runs = this.#input.runs();
    const diffHolder = h("div", { class: "diff-holder" });
    this.element.replaceChildren(
      runs.length === 0
        ? h(
            "p",
            { class: "hint" },
            "Tick runs in the table to compare them, or open one by its id.",
          )
        : h(
            "div",
            {},
            h("h2", {}, `Charts (${runs.length} run${runs.length === 1 ? "" : "s"})`),
            board.element,
            runs.length > 1 ? h("h2", {}, "Config diff") : "",
            runs.length > 1
              ? h(
                  "label",
                  {},
                  h("input", {
                    type: "checkbox",
                    checked: this.#showAllConfigs,
                    onchange: (event: Event) => {
                      this.#showAllConfigs = (event.target as HTMLInputElement).checked;
                      void this.render();
                    },
                  }),
                  " Show all keys",
                )
              : "",
            diffHolder,
          ),
    );
    const drawing = board.show(runs);
    // Grouped in the table, the charts draw one mean line with a min–max band per group.
    if (tableView.group) void table.loadConfigs(runs).then(() => this.#groupCharts(runs));
    else this.#groupCharts(runs);
    if (runs.length > 1) {
      // Built once the charts on screen have drawn and been painted, when the page's
      // thread is idle: the diff is below them, and building it for 30 runs (and laying
      // it out) took 60-100 ms from the frame that shows the charts.
      void Promise.all([table.loadConfigs(runs), drawing.then(() => whenIdle())]).then(() =>
        diffHolder.replaceChildren(
          configDiff(
            runs,
            (run) => table.configsOf(run),
            this.#showAllConfigs,
            tableView.internals,
          ),
        ),
      );
    }
    return drawing;
  }

  /** Hands the table's groups of the compared runs to the charts, when they changed. */
  #groupCharts(runs: readonly RunSummary[]): void {
    const groups = chartGroups(this.#input.table, runs, this.#input.colors);
    const signature = JSON.stringify(groups ?? null);
    if (signature === this.#chartGroupsShown) return;
    this.#chartGroupsShown = signature;
    this.#input.board.setGroups(groups);
  }
}
