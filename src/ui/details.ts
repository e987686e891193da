/**
 * The details of one run: its traceback when it failed, its configs, and its string
 * series (console output included) with the tail first, older pages on request, a
 * search, and new lines while the run is live. Also the config diff of the runs
 * selected for comparison.
 */

import { api, type ConfigValue, type RunSummary, type StringEntry } from "./api.ts";
import { formatDuration, formatValue, h } from "./dom.ts";
import { localTime, zoneLabel } from "./local-time.ts";
import { type EditorHost, editor } from "./run-editor.ts";
import { deadWriter, shownStatus } from "./run-liveness.ts";
import { duration } from "./run-row.ts";
import { download } from "./save-file.ts";
import { isInternalKey } from "./table-columns.ts";
import { runKey } from "./view-state.ts";

const PAGE = 200;

export interface DetailsHost extends EditorHost {
  /** Whether per-process and source-code keys are shown. */
  showInternals(): boolean;
}

export class RunDetails {
  readonly element = h("section", { class: "details", "aria-label": "Run details" });
  run: RunSummary | undefined;
  readonly #host: DetailsHost;
  readonly #title = h("h2", {});
  readonly #meta = h("p", { class: "meta" });
  #editor: HTMLElement = h("div");
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(host: DetailsHost) {
    this.#host = host;
  }

  /** A link named a run the server does not have: say so, in place of its details. */
  missing(key: string): void {
    this.run = undefined;
    clearInterval(this.#ticker);
    this.element.replaceChildren(
      h(
        "div",
        { class: "missing", role: "alert" },
        h("h2", {}, "Run not found"),
        h(
          "p",
          {},
          `There is no run ${key.replace(":", " / ")} on this server: it may have been deleted or moved, or the link is mistyped.`,
        ),
      ),
    );
  }

  /** The run's summary changed (finished, renamed, trashed): redraw its header, keep the rest. */
  update(run: RunSummary, configs: Record<string, ConfigValue> | undefined): void {
    if (!this.run || runKey(this.run) !== runKey(run)) return;
    this.run = run;
    this.#drawMeta();
    const fresh = editor(run, configs, this.#host);
    this.#editor.replaceWith(fresh);
    this.#editor = fresh;
  }

  #drawMeta(): void {
    const run = this.run;
    if (!run) return;
    this.#title.textContent = `${run.run_id}${run.experiment_name ? ` — ${run.experiment_name}` : ""}`;
    this.#meta.replaceChildren(
      `${run.project} · `,
      h(
        "span",
        {
          class: `status ${shownStatus(run)}`,
          "data-status": shownStatus(run),
          title: deadWriter(run)?.reason,
        },
        shownStatus(run),
      ),
      run.trashed ? " · in the trash" : "",
      " · created ",
      h("time", { datetime: run.created_at ?? "", title: zoneLabel() }, localTime(run.created_at)),
      " (local) · ",
      h("span", { class: "duration" }, formatDuration(duration(run))),
    );
  }
  #lines: StringEntry[] = [];
  #total = 0;
  #path = "";
  #search = "";
  readonly #log = h("pre", { class: "console", tabindex: 0, "aria-label": "Series entries" });
  readonly #status = h("p", { class: "console-status" });

  async show(run: RunSummary, configs: Record<string, ConfigValue> | undefined): Promise<void> {
    this.run = run;
    clearInterval(this.#ticker);
    this.#ticker = setInterval(() => {
      const current = this.run;
      if (current?.status === "running")
        this.#meta.querySelector(".duration")?.replaceChildren(formatDuration(duration(current)));
    }, 1000);
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
    const all = configs ?? (await api.configs(run));
    const configRows = Object.entries(all).filter(
      ([key]) => this.#host.showInternals() || !isInternalKey(key),
    );
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
    this.#drawMeta();
    this.#editor = editor(run, all, this.#host);
    this.element.replaceChildren(
      this.#title,
      this.#meta,
      this.#editor,
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
              h(
                "button",
                {
                  title: "Every line of this series as a text file",
                  onclick: () => void this.#save(),
                },
                "Download",
              ),
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

  /** Saves every line of the shown series as a text file. */
  async #save(): Promise<void> {
    const run = this.run;
    if (!run || !this.#path) return;
    const page = await api.strings(run, this.#path, { limit: this.#total || 1_000_000 });
    const text = page.string_series.map((line) => line.value).join("\n");
    download(`${run.run_id}-${this.#path.replaceAll("/", "_")}.txt`, `${text}\n`);
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
  internals = false,
): HTMLElement {
  const keys = new Set<string>();
  for (const run of runs)
    for (const key of Object.keys(configsOf(run) ?? {}))
      if (internals || !isInternalKey(key)) keys.add(key);
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
