/**
 * The details of one run: its traceback when it failed, its configs, and its string
 * series (console output included) with the tail first, older pages on request, a
 * search, and new lines while the run is live. Also the config diff of the runs
 * selected for comparison.
 */

import { api, type ConfigValue, type RunSummary, type StringEntry } from "./api.ts";
import { formatDuration, formatTime, formatValue, h } from "./dom.ts";
import { runKey } from "./view-state.ts";

const PAGE = 200;

export class RunDetails {
  readonly element = h("section", { class: "details", "aria-label": "Run details" });
  run: RunSummary | undefined;
  #lines: StringEntry[] = [];
  #total = 0;
  #path = "";
  #search = "";
  readonly #log = h("pre", { class: "console", tabindex: 0, "aria-label": "Series entries" });
  readonly #status = h("p", { class: "console-status" });

  async show(run: RunSummary, configs: Record<string, ConfigValue> | undefined): Promise<void> {
    this.run = run;
    const stdout = run.string_series_paths.find((path) => path.endsWith("/stdout"));
    this.#path =
      stdout ??
      run.string_series_paths.find((path) => !path.endsWith("/traceback")) ??
      run.string_series_paths[0] ??
      "";
    this.#search = "";
    const tracebackPath = run.string_series_paths.find((path) => path.endsWith("/traceback"));
    const traceback = tracebackPath
      ? (await api.strings(run, tracebackPath, { tail: 1 })).string_series[0]?.value
      : undefined;
    const configRows = Object.entries(configs ?? (await api.configs(run)));
    const filter = h("input", {
      type: "search",
      placeholder: "Filter configs",
      "aria-label": "Filter configs",
      oninput: (event: Event) => {
        const text = (event.target as HTMLInputElement).value.toLowerCase();
        for (const row of body.rows) row.hidden = !row.textContent?.toLowerCase().includes(text);
      },
    });
    const body = h(
      "tbody",
      {},
      ...configRows.map(([path, value]) =>
        h("tr", {}, h("td", { class: "path" }, path), h("td", {}, formatValue(value))),
      ),
    );
    const picker = h(
      "select",
      {
        "aria-label": "String series",
        onchange: (event: Event) => {
          this.#path = (event.target as HTMLSelectElement).value;
          void this.#loadTail();
        },
      },
      ...run.string_series_paths.map((path) =>
        h("option", { value: path, selected: path === this.#path }, path),
      ),
    );
    const end = run.status === "running" || !run.closed_at ? Date.now() : Date.parse(run.closed_at);
    this.element.replaceChildren(
      h("h2", {}, `${run.run_id}${run.experiment_name ? ` — ${run.experiment_name}` : ""}`),
      h(
        "p",
        { class: "meta" },
        `${run.project} · ${run.status} · created ${formatTime(run.created_at)} · ${formatDuration(end - Date.parse(run.created_at ?? ""))}`,
      ),
      traceback
        ? h(
            "div",
            { class: "traceback", role: "alert" },
            h("h3", {}, "Traceback"),
            h("pre", {}, traceback),
          )
        : "",
      h("h3", {}, "Configs"),
      filter,
      h(
        "table",
        { class: "configs" },
        h("thead", {}, h("tr", {}, h("th", {}, "Path"), h("th", {}, "Value"))),
        body,
      ),
      run.string_series_paths.length > 0
        ? h(
            "div",
            { class: "series" },
            h("h3", {}, "Text and console"),
            h(
              "div",
              { class: "toolbar" },
              picker,
              h("input", {
                type: "search",
                placeholder: "Search lines",
                "aria-label": "Search lines",
                oninput: (event: Event) => {
                  this.#search = (event.target as HTMLInputElement).value.toLowerCase();
                  this.#renderLines();
                },
              }),
              h("button", { onclick: () => void this.#loadOlder() }, "Older"),
              h("button", { onclick: () => void this.#loadAll() }, "All"),
            ),
            this.#status,
            this.#log,
          )
        : "",
    );
    await this.#loadTail();
  }

  async #loadTail(): Promise<void> {
    if (!this.run || !this.#path) return;
    const page = await api.strings(this.run, this.#path, { tail: PAGE });
    this.#lines = page.string_series;
    this.#total = page.total;
    this.#renderLines(true);
  }

  async #loadOlder(): Promise<void> {
    if (!this.run || this.#lines.length >= this.#total) return;
    const offset = Math.max(0, this.#total - this.#lines.length - PAGE);
    const limit = this.#total - this.#lines.length - offset;
    const page = await api.strings(this.run, this.#path, { limit, offset });
    this.#lines = [...page.string_series, ...this.#lines];
    this.#renderLines();
  }

  async #loadAll(): Promise<void> {
    if (!this.run) return;
    const page = await api.strings(this.run, this.#path, { limit: this.#total || 1_000_000 });
    this.#lines = page.string_series;
    this.#total = page.total;
    this.#renderLines();
  }

  /** New lines of a live run. */
  async extend(): Promise<void> {
    if (!this.run || !this.#path) return;
    const page = await api.strings(this.run, this.#path, { limit: 10_000, offset: this.#total });
    if (page.string_series.length === 0) return;
    this.#lines.push(...page.string_series);
    this.#total = page.total;
    this.#renderLines(true);
  }

  #renderLines(scroll = false): void {
    const lines = this.#search
      ? this.#lines.filter((line) => line.value.toLowerCase().includes(this.#search))
      : this.#lines;
    this.#log.textContent = lines.map((line) => line.value).join("\n");
    this.#status.textContent = `${this.#path}: showing ${lines.length} of ${this.#total} entries`;
    if (scroll) this.#log.scrollTop = this.#log.scrollHeight;
  }
}

/** A table of the config keys whose values differ across the runs (all keys on request). */
export function configDiff(
  runs: readonly RunSummary[],
  configsOf: (run: RunSummary) => Record<string, ConfigValue> | undefined,
  showAll: boolean,
): HTMLElement {
  const keys = new Set<string>();
  for (const run of runs) for (const key of Object.keys(configsOf(run) ?? {})) keys.add(key);
  const differing = [...keys].filter((key) => {
    if (key === "sys/id" || key === "sys/creation_time" || key === "sys/closed_time")
      return showAll;
    const values = runs.map((run) => JSON.stringify(configsOf(run)?.[key] ?? null));
    return showAll || new Set(values).size > 1;
  });
  return h(
    "table",
    { class: "diff" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "Config"),
        ...runs.map((run) => h("th", { "data-run": runKey(run) }, run.run_id)),
      ),
    ),
    h(
      "tbody",
      {},
      ...differing
        .sort()
        .map((key) =>
          h(
            "tr",
            {},
            h("td", { class: "path" }, key),
            ...runs.map((run) => h("td", {}, formatValue(configsOf(run)?.[key]))),
          ),
        ),
    ),
  );
}
