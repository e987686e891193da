/**
 * The runs table: every run of the server (or one project), with sort, text, status
 * and tag filters, columns the user adds from configs and last metric values, and
 * checkboxes that choose the runs to compare. Configs are fetched for the rows shown.
 */

import { api, type ConfigValue, num, pool, type RunSummary } from "./api.ts";
import { formatDuration, formatTime, formatValue, h } from "./dom.ts";
import { runKey, type ViewState } from "./view-state.ts";

const PAGE = 200;

export interface TableHost {
  readonly view: ViewState;
  changed(): void;
  focus(run: RunSummary): void;
}

export class RunsTable {
  readonly element = h("section", { class: "runs", "aria-label": "Runs" });
  runs: RunSummary[] = [];
  readonly #configs = new Map<string, Record<string, ConfigValue>>();
  readonly #lastValues = new Map<string, number>();
  readonly #host: TableHost;
  #shown = PAGE;

  constructor(host: TableHost) {
    this.#host = host;
  }

  configsOf(run: RunSummary): Record<string, ConfigValue> | undefined {
    return this.#configs.get(runKey(run));
  }

  async loadConfigs(runs: readonly RunSummary[]): Promise<void> {
    const missing = runs.filter((run) => !this.#configs.has(runKey(run)));
    await pool(missing, 6, async (run) => {
      this.#configs.set(runKey(run), await api.configs(run));
    });
  }

  #tags(run: RunSummary): string[] {
    const tags = this.configsOf(run)?.["sys/tags"];
    return Array.isArray(tags) ? tags : [];
  }

  /** The runs passing the filters, sorted. */
  visible(): RunSummary[] {
    const view = this.#host.view;
    const text = view.text.toLowerCase();
    const rows = this.runs.filter((run) => {
      if (view.project && run.project !== view.project) return false;
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
            return (
              this.#lastValues.get(`${runKey(run)}\u0000${view.sort.slice(7)}`) ??
              Number.NEGATIVE_INFINITY
            );
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
      h(
        "tbody",
        {},
        ...shown.map((run) => {
          const key = runKey(run);
          const tags = this.#tags(run);
          return h(
            "tr",
            { "data-run": key, class: selected.has(key) ? "selected" : undefined },
            h(
              "td",
              {},
              h("input", {
                type: "checkbox",
                "aria-label": `Compare ${run.run_id}`,
                checked: selected.has(key),
                onchange: (event: Event) => {
                  const on = (event.target as HTMLInputElement).checked;
                  view.selected = on
                    ? [...view.selected, key]
                    : view.selected.filter((k) => k !== key);
                  this.#host.changed();
                },
              }),
            ),
            h(
              "td",
              {},
              h("button", { class: "link", onclick: () => this.#host.focus(run) }, run.run_id),
            ),
            h("td", {}, run.experiment_name ?? ""),
            h("td", {}, run.project),
            h(
              "td",
              { class: `status ${run.status}` },
              run.status === "running" ? h("span", { class: "live", title: "live" }, "● ") : "",
              run.status,
              run.trashed ? " (trashed)" : "",
            ),
            h("td", {}, formatTime(run.created_at)),
            h("td", {}, formatDuration(duration(run))),
            h("td", { class: "tags" }, ...tags.map((tag) => h("span", { class: "tag" }, tag))),
            ...view.columns.map((column) => h("td", { class: "extra" }, this.#cell(run, column))),
          );
        }),
      ),
    );
    const more =
      rows.length > shown.length
        ? h(
            "button",
            {
              class: "more",
              onclick: () => {
                this.#shown += PAGE;
                this.render();
              },
            },
            `Show more (${rows.length - shown.length} left)`,
          )
        : null;
    this.element.replaceChildren(
      h("p", { class: "count" }, `${rows.length} of ${this.runs.length} runs`),
      table,
      more ?? "",
    );
    void this.#fill(shown);
  }

  #cell(run: RunSummary, column: string): string {
    if (column.startsWith("config:")) return formatValue(this.configsOf(run)?.[column.slice(7)]);
    const value = this.#lastValues.get(`${runKey(run)}\u0000${column.slice(7)}`);
    return value === undefined ? "" : formatValue(value);
  }

  /** Loads what the shown rows need (configs for tags and config columns, last metric values), then redraws once. */
  async #fill(shown: RunSummary[]): Promise<void> {
    const before = this.#configs.size + this.#lastValues.size;
    await this.loadConfigs(shown);
    const metricColumns = this.#host.view.columns
      .filter((column) => column.startsWith("metric:"))
      .map((c) => c.slice(7));
    const wanted = shown.flatMap((run) =>
      metricColumns
        .filter(
          (path) =>
            run.metric_paths.includes(path) && !this.#lastValues.has(`${runKey(run)}\u0000${path}`),
        )
        .map((path) => ({ run, path })),
    );
    await pool(wanted, 6, async ({ run, path }) => {
      // pointCount=1 ends with the last point as it is: the series' last value.
      const series = await api.metrics(run, path, 1);
      const last = series.points[series.points.length - 1];
      if (last) this.#lastValues.set(`${runKey(run)}\u0000${path}`, num(last.value));
    });
    if (this.#configs.size + this.#lastValues.size !== before) this.render();
  }
}

function duration(run: RunSummary): number {
  if (!run.created_at) return Number.NaN;
  const end = run.status === "running" || !run.closed_at ? Date.now() : Date.parse(run.closed_at);
  return end - Date.parse(run.created_at);
}
