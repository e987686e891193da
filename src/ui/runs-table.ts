/**
 * The runs table: every run of the server (or one project), with sort, text, status
 * and tag filters, columns the user adds from configs and last metric values, and
 * checkboxes that choose the runs to compare. Configs and last values are fetched for
 * the rows as they scroll into view (all of a project's only when a filter or sort needs them).
 */

import type { ConfigValue, RunSummary } from "./api.ts";
import { formatValue, h } from "./dom.ts";
import { RunData } from "./run-data.ts";
import { duration, type RowCells, runRow } from "./run-row.ts";
import { runKey, type ViewState } from "./view-state.ts";

/** Rows drawn at first and added per "Show more" (or on scrolling to the end). */
const PAGE = 100;

export interface TableHost {
  readonly view: ViewState;
  changed(): void;
  focus(run: RunSummary): void;
  /** Configs or last values arrived: tag and column choices may have grown. */
  loaded(): void;
}

export class RunsTable {
  readonly element = h("section", { class: "runs", "aria-label": "Runs" });
  runs: RunSummary[] = [];
  readonly #data = new RunData();
  readonly #host: TableHost;
  readonly #rows = new Map<Element, RowCells>();
  #shown = PAGE;
  #scroller: HTMLElement | undefined;
  #observer: IntersectionObserver | undefined;
  #pending = new Set<RunSummary>();
  #flushQueued = false;
  #everything = "";

  constructor(host: TableHost) {
    this.#host = host;
  }

  configsOf(run: RunSummary): Record<string, ConfigValue> | undefined {
    return this.#data.configsOf(run);
  }

  loadConfigs(runs: readonly RunSummary[]): Promise<void> {
    return this.#data.loadConfigs(runs);
  }

  /** Configs and the last values of the metric columns, of `runs`. */
  #load(runs: readonly RunSummary[]): Promise<unknown> {
    const paths = this.#host.view.columns
      .filter((column) => column.startsWith("metric:"))
      .map((column) => column.slice(7));
    return Promise.all([this.#data.loadConfigs(runs), this.#data.loadLastValues(runs, paths)]);
  }

  #tags(run: RunSummary): string[] {
    const tags = this.configsOf(run)?.["sys/tags"];
    return Array.isArray(tags) ? tags : [];
  }

  /** Whether the filter or the sort needs every run's configs or last values, not just the shown rows'. */
  #needsEverything(): string {
    const view = this.#host.view;
    const sortsOnData = view.sort.startsWith("config:") || view.sort.startsWith("metric:");
    return view.tag || sortsOnData
      ? `${view.project}|${view.tag}|${view.sort}|${view.columns}`
      : "";
  }

  #inProject(): RunSummary[] {
    const project = this.#host.view.project;
    return project ? this.runs.filter((run) => run.project === project) : this.runs;
  }

  /** The runs passing the filters, sorted. */
  visible(): RunSummary[] {
    const view = this.#host.view;
    const text = view.text.toLowerCase();
    const rows = this.#inProject().filter((run) => {
      if (view.status && run.status !== view.status) return false;
      if (view.tag && !this.#tags(run).includes(view.tag)) return false;
      if (text) {
        const haystack =
          `${run.run_id} ${run.experiment_name ?? ""} ${run.project} ${this.#tags(run).join(" ")}`.toLowerCase();
        if (!haystack.includes(text)) return false;
      }
      return true;
    });
    const key = (run: RunSummary): string | number => {
      switch (view.sort) {
        case "run":
          return run.run_id;
        case "name":
          return run.experiment_name ?? "";
        case "status":
          return run.status;
        case "duration":
          return duration(run);
        default:
          if (view.sort.startsWith("config:"))
            return formatValue(this.configsOf(run)?.[view.sort.slice(7)]);
          if (view.sort.startsWith("metric:"))
            return this.#data.lastValue(run, view.sort.slice(7)) ?? Number.NEGATIVE_INFINITY;
          return run.created_at ?? "";
      }
    };
    const direction = view.descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * direction;
    });
  }

  render(): void {
    const view = this.#host.view;
    const rows = this.visible();
    const shown = rows.slice(0, this.#shown);
    // A redraw keeps the table's scroll position and the keyboard focus where they were.
    const scrollTop = this.#scroller?.scrollTop ?? 0;
    const focused =
      document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement)
        ? document.activeElement.dataset.focusKey
        : undefined;
    const header = (label: string, sortKey: string) => {
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
            "data-focus-key": `sort|${sortKey}`,
            onclick: () => {
              view.descending = active ? !view.descending : sortKey === "created";
              view.sort = sortKey;
              this.#host.changed();
            },
          },
          label,
          active ? (view.descending ? " ▾" : " ▴") : "",
        ),
      );
    };
    const selected = new Set(view.selected);
    this.#observer?.disconnect();
    this.#rows.clear();
    const body = h(
      "tbody",
      {},
      ...shown.map((run) => {
        const key = runKey(run);
        const { row, cells } = runRow(run, view.columns.length, selected.has(key), {
          toggle: (on) => {
            view.selected = on ? [...view.selected, key] : view.selected.filter((k) => k !== key);
            this.#host.changed();
          },
          open: () => this.#host.focus(run),
        });
        this.#rows.set(row, cells);
        this.#paint(cells);
        return row;
      }),
    );
    const table = h(
      "table",
      { class: "runs-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, h("span", { class: "sr" }, "Compare")),
          header("Run", "run"),
          header("Name", "name"),
          h("th", { scope: "col" }, "Project"),
          header("Status", "status"),
          header("Created", "created"),
          header("Duration", "duration"),
          h("th", { scope: "col" }, "Tags"),
          ...view.columns.map((column) =>
            h(
              "th",
              { scope: "col", class: "extra" },
              header(column.slice(column.indexOf(":") + 1), column).firstChild as Node,
              h(
                "button",
                {
                  class: "remove",
                  title: `Remove column ${column}`,
                  "aria-label": `Remove column ${column}`,
                  onclick: () => {
                    view.columns = view.columns.filter((c) => c !== column);
                    this.#host.changed();
                  },
                },
                "×",
              ),
            ),
          ),
        ),
      ),
      body,
    );
    const more =
      rows.length > shown.length
        ? h(
            "button",
            {
              class: "more",
              "data-focus-key": "more",
              onclick: () => {
                this.#shown += PAGE;
                this.render();
              },
            },
            `Show more (${rows.length - shown.length} left)`,
          )
        : null;
    const scroller = h("div", { class: "table-scroll" }, table, more ?? "");
    this.#scroller = scroller;
    const count = h("p", { class: "count" }, `${rows.length} of ${this.runs.length} runs`);
    this.element.replaceChildren(count, scroller);
    if (scrollTop > 0) scroller.scrollTop = scrollTop;
    if (focused)
      this.element.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
    // Rows fetch their configs (tags, config columns) and last values once they scroll into view.
    this.#observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          if (entry.target === more) {
            this.#shown += PAGE;
            queueMicrotask(() => this.render());
            return;
          }
          const cells = this.#rows.get(entry.target);
          if (cells) this.#pending.add(cells.run);
        }
        this.#queueFlush();
      },
      { root: scroller, rootMargin: "300px 0px" },
    );
    for (const row of body.rows) this.#observer.observe(row);
    if (more) this.#observer.observe(more);
    void this.#loadEverything(count);
  }

  #paint(cells: RowCells): void {
    const configs = this.configsOf(cells.run);
    if (configs)
      cells.tags.replaceChildren(
        ...this.#tags(cells.run).map((tag) => h("span", { class: "tag" }, tag)),
      );
    this.#host.view.columns.forEach((column, index) => {
      const cell = cells.extras[index];
      if (cell) cell.textContent = this.#cell(cells.run, column);
    });
  }

  #queueFlush(): void {
    if (this.#flushQueued || this.#pending.size === 0) return;
    this.#flushQueued = true;
    setTimeout(() => {
      this.#flushQueued = false;
      const runs = [...this.#pending];
      this.#pending.clear();
      void this.#load(runs).then(() => {
        for (const cells of this.#rows.values()) this.#paint(cells);
        this.#host.loaded();
      });
    }, 16);
  }

  /**
   * A tag filter or a sort on a config or metric needs every run of the project's data,
   * not only the shown rows': it is fetched once, with progress, then the table redraws.
   */
  async #loadEverything(count: HTMLElement): Promise<void> {
    const need = this.#needsEverything();
    if (!need || need === this.#everything) return;
    const runs = this.#inProject();
    const missing = runs.filter((run) => !this.configsOf(run));
    if (missing.length > 0) count.textContent += ` · loading the data of ${missing.length} runs…`;
    await this.#load(runs);
    if (this.#needsEverything() !== need) return;
    this.#everything = need;
    this.#host.loaded();
    this.render();
  }

  #cell(run: RunSummary, column: string): string {
    if (column.startsWith("config:")) return formatValue(this.configsOf(run)?.[column.slice(7)]);
    const value = this.#data.lastValue(run, column.slice(7));
    return value === undefined ? "" : formatValue(value);
  }
}
