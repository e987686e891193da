/**
 * The runs table: every run of the server (or one project), with the search box's text
 * and value filters, status and tag filters, axis ranges from the sweep views, a sort
 * that orders numbers as numbers, columns the user adds (configs; metrics as last, min
 * or max), groups by a config value, and checkboxes that choose the runs to compare.
 * Configs and metric summaries are fetched for the rows as they scroll into view (all
 * of a project's only when a filter, sort, group or sweep view needs them).
 */

import type { RunSummary } from "./api.ts";
import { formatDuration, formatValue, h } from "./dom.ts";
import { groupRow } from "./group-row.ts";
import { duration, type RowCells, runRow } from "./run-row.ts";
import { type ModelHost, RunsModel } from "./runs-model.ts";
import { tableHead } from "./runs-table-head.ts";
import type { Column } from "./table-columns.ts";
import { runKey } from "./view-state.ts";

/**
 * Rows drawn at first and added per "Show more" (or on scrolling near the end): a few
 * screens of the table's box, which shows about fifteen.
 */
const PAGE = 50;

export interface TableHost extends ModelHost {
  changed(): void;
  focus(run: RunSummary): void;
  /** Configs or metric summaries arrived: tag and column choices may have grown. */
  loaded(): void;
  /** "Clear filters" was pressed: the search box and filters are to show the cleared view. */
  filtersCleared(): void;
  /** A run's colour in the charts (a swatch beside compared runs). */
  colorOf(run: RunSummary): string;
  /** Says something to the person (runs left out of the comparison). */
  notify(text: string): void;
}

/** What draws above the rows: controls, selection actions, sweep views. */
export interface TableParts {
  /** Controls above everything, built once. */
  readonly top: HTMLElement;
  /** Elements between the controls and the rows, drawn again on each render. */
  above(rows: readonly RunSummary[]): Node[];
}

export class RunsTable extends RunsModel {
  readonly element = h("section", { class: "runs", "aria-label": "Runs" });
  readonly #redrawn = h("div", { class: "runs-body" });
  #parts: TableParts | undefined;
  declare protected readonly host: TableHost;
  readonly #rows = new Map<Element, RowCells>();
  #shown = PAGE;
  #scroller: HTMLElement | undefined;
  #observer: IntersectionObserver | undefined;
  #pending = new Set<RunSummary>();
  #flushQueued = false;
  #everything = "";

  constructor(host: TableHost) {
    super(host);
    // Durations of running runs tick, without a redraw.
    setInterval(() => {
      for (const cells of this.#rows.values())
        if (cells.run.status === "running")
          cells.duration.textContent = formatDuration(duration(cells.run));
    }, 1000);
  }

  /** Whether the group of this key is unfolded (its runs shown as rows). */
  isOpen(groupKey: string): boolean {
    return this.host.table.unfolded.includes(groupKey);
  }

  /** Forgets what was fetched of `runs` (an edit). */
  override forget(runs: readonly RunSummary[]): void {
    super.forget(runs);
    this.#everything = "";
  }

  /** Live runs logged more: their metric cells are fetched again and repainted in place. */
  refreshLive(runs: readonly RunSummary[]): void {
    if (runs.length === 0 || this.neededMetrics().length === 0) return;
    this.forgetSummaries(runs);
    this.#everything = "";
    const keys = new Set(runs.map(runKey));
    const shown = [...this.#rows.values()].filter((cells) => keys.has(runKey(cells.run)));
    void this.load(shown.map((cells) => cells.run)).then(() => {
      const columns = this.columns();
      for (const cells of shown) this.#paint(cells, columns);
    });
  }

  /** The controls, selection bar and sweep views above the rows (set once by the page). */
  set parts(parts: TableParts) {
    this.#parts = parts;
    this.element.replaceChildren(parts.top, this.#redrawn);
  }

  #clearFilters(): void {
    const view = this.host.view;
    view.text = "";
    view.status = "";
    view.tag = "";
    this.host.table.ranges = [];
    this.host.filtersCleared();
    this.host.changed();
  }

  render(): void {
    const view = this.host.view;
    const rows = this.visible();
    // A redraw keeps the table's scroll position and the keyboard focus where they were.
    const scrollTop = this.#scroller?.scrollTop ?? 0;
    const focused =
      (document.activeElement instanceof HTMLElement ||
        document.activeElement instanceof SVGElement) &&
      this.element.contains(document.activeElement)
        ? document.activeElement.dataset.focusKey
        : undefined;
    const columns = this.columns();
    const selected = new Set(view.selected);
    this.#observer?.disconnect();
    this.#rows.clear();
    const width = 8 + columns.length;
    const rowOf = (run: RunSummary) => {
      const key = runKey(run);
      const { row, cells } = runRow(run, columns.length, selected.has(key), {
        toggle: (on) => {
          view.selected = on ? [...view.selected, key] : view.selected.filter((k) => k !== key);
          this.host.changed();
        },
        open: () => this.host.focus(run),
        color: this.host.colorOf(run),
        focused: view.focus === key,
      });
      this.#rows.set(row, cells);
      this.#paint(cells, columns);
      return row;
    };
    const groups = this.groups(rows);
    let bodyRows: HTMLTableRowElement[];
    let remaining = 0;
    if (groups) {
      bodyRows = groups.flatMap((group) => {
        const open = this.isOpen(group.key);
        const head = groupRow({
          group,
          open,
          selected,
          width,
          view,
          table: this.host.table,
          changed: () => this.host.changed(),
          notify: (text) => this.host.notify(text),
        });
        return [head, ...(open ? group.runs.map(rowOf) : [])];
      });
    } else {
      const shown = rows.slice(0, this.#shown);
      remaining = rows.length - shown.length;
      bodyRows = shown.map(rowOf);
    }
    const empty =
      rows.length === 0
        ? h(
            "tr",
            { class: "empty" },
            h(
              "td",
              { colspan: width },
              this.candidates().length === 0
                ? noRunsYet(view.project, this.runs.length > 0)
                : h(
                    "span",
                    {},
                    "No runs match these filters. ",
                    unknownKeysHint(this.unknownFilterKeys()),
                    h(
                      "button",
                      { "data-focus-key": "clear-filters", onclick: () => this.#clearFilters() },
                      "Clear filters",
                    ),
                  ),
            ),
          )
        : "";
    const body = h("tbody", {}, ...bodyRows, empty);
    const visibleKeys = rows.map(runKey);
    const table = h(
      "table",
      { class: "runs-table" },
      tableHead({
        view,
        columns,
        visibleKeys,
        selected,
        changed: () => this.host.changed(),
        notify: (text) => this.host.notify(text),
      }),
      body,
    );
    const more =
      remaining > 0
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
            `Show more (${remaining} left)`,
          )
        : null;
    const scroller = h("div", { class: "table-scroll" }, table, more ?? "");
    this.#scroller = scroller;
    const trashedHidden = this.host.table.trashed
      ? 0
      : this.inProject().filter((run) => run.trashed).length;
    const count = h(
      "p",
      { class: "count" },
      `${rows.length} of ${this.runs.length} runs`,
      groups ? ` in ${groups.length} groups` : "",
      trashedHidden > 0 ? ` · ${trashedHidden} in the trash, hidden` : "",
    );
    if (!this.#parts) this.element.replaceChildren(this.#redrawn);
    this.#redrawn.replaceChildren(...(this.#parts?.above(rows) ?? []), count, scroller);
    if (scrollTop > 0) scroller.scrollTop = scrollTop;
    if (focused)
      this.element
        .querySelector<HTMLElement | SVGElement>(`[data-focus-key="${CSS.escape(focused)}"]`)
        ?.focus();
    // Rows fetch their configs (tags, config columns) and summaries once they scroll into view.
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
    for (const row of this.#rows.keys()) this.#observer.observe(row);
    if (more) this.#observer.observe(more);
    void this.#loadEverything(count);
  }

  #paint(cells: RowCells, columns: readonly Column[]): void {
    const configs = this.configsOf(cells.run);
    if (configs)
      cells.tags.replaceChildren(
        ...this.tags(cells.run).map((tag) => h("span", { class: "tag" }, tag)),
      );
    columns.forEach((column, index) => {
      const cell = cells.extras[index];
      if (cell) cell.textContent = formatValue(this.valueOf(cells.run, column));
    });
  }

  #queueFlush(): void {
    if (this.#flushQueued || this.#pending.size === 0) return;
    this.#flushQueued = true;
    setTimeout(() => {
      this.#flushQueued = false;
      const runs = [...this.#pending];
      this.#pending.clear();
      void this.load(runs).then(() => {
        const columns = this.columns();
        for (const cells of this.#rows.values()) this.#paint(cells, columns);
        this.host.loaded();
      });
    }, 16);
  }

  /**
   * A filter, a sort on a column, a group or the sweep views need every run of the
   * project's data, not only the shown rows': it is fetched once, with progress, then
   * the table redraws.
   */
  async #loadEverything(count: HTMLElement): Promise<void> {
    const need = this.needsEverything();
    if (!need || need === this.#everything) return;
    const runs = this.inProject();
    const missing = runs.filter((run) => !this.configsOf(run));
    const paths = this.neededMetrics();
    const summariesMissing = runs.some((run) =>
      paths.some((path) => run.metric_paths.includes(path) && !this.data.summary(run, path)),
    );
    if (missing.length === 0 && !summariesMissing) {
      // Everything is here already: this render drew it all.
      this.#everything = need;
      return;
    }
    if (missing.length > 0) count.append(` · loading the data of ${missing.length} runs…`);
    await this.load(runs);
    if (this.needsEverything() !== need) return;
    this.#everything = need;
    this.host.loaded();
    this.render();
  }
}

/** Says which filter keys name no config or metric (a typo, or a key of other runs). */
function unknownKeysHint(keys: readonly string[]): string {
  if (keys.length === 0) return "";
  const named = keys.map((key) => `“${key}”`).join(", ");
  return `No config or metric of these runs is called ${named}. `;
}

/** The table of a project with no runs: one the server does not have says so. */
function noRunsYet(project: string, serverHasRuns: boolean): string {
  return project && serverHasRuns
    ? `There are no runs in project “${project}” on this server (pick a project above).`
    : "No runs here yet.";
}
