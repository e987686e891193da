/**
 * The details of one run: its traceback when it failed, its configs, and its string
 * series (console output included) with the tail first, older pages on request, a
 * search, and new lines while the run is live.
 */

import { api, type ConfigValue, type RunSummary, type StringEntry } from "./api.ts";
import { errorMessage, isUnreachable, untilReachable } from "./connection.ts";
import { consolePaths, consoleText } from "./console-file.ts";
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
  /** Counts the runs shown: a load still under way for an earlier one stops. */
  #shown = 0;
  /** The shown run's configs, as last read (the editor's description and tags come from them). */
  #configs: Record<string, ConfigValue> = {};
  readonly #configRows = h("tbody", {});
  readonly #configFilter = h("input", {
    type: "search",
    placeholder: "Filter configs",
    "aria-label": "Filter configs",
    oninput: () => this.#filterConfigs(),
  });

  constructor(host: DetailsHost) {
    this.#host = host;
  }

  /** Shows no run (Back went to before one was opened). */
  close(): void {
    this.#shown += 1;
    this.run = undefined;
    clearInterval(this.#ticker);
    this.element.replaceChildren();
  }

  /** A link named a run the server does not have: say so, in place of its details. */
  missing(key: string): void {
    this.#shown += 1;
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

  /**
   * The run's summary changed (finished, renamed, trashed): redraw its header, keep the
   * rest. Configs not known to the caller (undefined) are the ones read when it was shown.
   */
  update(run: RunSummary, configs: Record<string, ConfigValue> | undefined): void {
    if (!this.run || runKey(this.run) !== runKey(run)) return;
    this.run = run;
    if (configs) this.#configs = configs;
    this.#drawMeta();
    const fresh = editor(run, this.#configs, this.#host);
    this.#editor.replaceWith(fresh);
    this.#editor = fresh;
    this.#drawConfigs();
  }

  /** Per-process and source-code keys were switched on or off: the configs table follows. */
  internalsChanged(): void {
    if (this.run) this.#drawConfigs();
  }

  #drawConfigs(): void {
    const rows = Object.entries(this.#configs).filter(
      ([key]) => this.#host.showInternals() || !isInternalKey(key),
    );
    this.#configRows.replaceChildren(
      ...rows.map(([path, value]) =>
        h("tr", {}, h("td", { class: "path" }, path), h("td", {}, formatValue(value))),
      ),
    );
    this.#filterConfigs();
  }

  #filterConfigs(): void {
    const text = this.#configFilter.value.toLowerCase();
    for (const row of this.#configRows.rows)
      row.hidden = !row.textContent?.toLowerCase().includes(text);
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

  /**
   * Shows `run` (with `configs` when the caller has them). While the server cannot be
   * reached the details say so, and load once it answers again.
   */
  async show(run: RunSummary, configs: Record<string, ConfigValue> | undefined): Promise<void> {
    this.run = run;
    const shown = ++this.#shown;
    await untilReachable(
      // A retry shows the freshest summary of the run (update() may have replaced it).
      () => this.#show(this.run ?? run, configs, shown),
      (error, offline) =>
        this.element.replaceChildren(
          this.#title,
          this.#meta,
          h(
            "p",
            { class: "error", role: "alert" },
            offline
              ? "The server cannot be reached: this run's details load when it answers again."
              : `Could not load this run's details: ${errorMessage(error)}`,
          ),
        ),
      // The same run's summary may be replaced meanwhile (update()): only showing
      // another run stops this one.
      () => this.#shown === shown,
    );
  }

  async #show(
    run: RunSummary,
    configs: Record<string, ConfigValue> | undefined,
    shown: number,
  ): Promise<void> {
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
    this.#drawMeta();
    const traceback = tracebackPath
      ? (await api.strings(run, tracebackPath, { tail: 1 })).string_series[0]?.value
      : undefined;
    const all = configs ?? (await api.configs(run));
    if (this.#shown !== shown) return;
    this.#configs = all;
    this.#configFilter.value = "";
    this.#drawConfigs();
    const picker = h(
      "select",
      {
        "aria-label": "String series",
        onchange: (event: Event) => {
          this.#path = (event.target as HTMLSelectElement).value;
          this.#load(() => this.#loadTail());
        },
      },
      ...run.string_series_paths.map((path) =>
        h("option", { value: path, selected: path === this.#path }, path),
      ),
    );
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
      this.#configFilter,
      h(
        "table",
        { class: "configs" },
        h("thead", {}, h("tr", {}, h("th", {}, "Path"), h("th", {}, "Value"))),
        this.#configRows,
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
              h("button", { onclick: () => this.#load(() => this.#loadOlder()) }, "Older"),
              h("button", { onclick: () => this.#load(() => this.#loadAll()) }, "All"),
              h(
                "button",
                {
                  title: "Every line of this series as a text file",
                  onclick: () => this.#load(() => this.#save()),
                },
                "Download",
              ),
              consolePaths(run.string_series_paths).length > 0
                ? h(
                    "button",
                    {
                      title:
                        "What every process of the run printed (stdout and stderr) and its traceback, in the order logged, as a text file",
                      onclick: () => this.#load(() => this.#saveConsole()),
                    },
                    "Download console",
                  )
                : "",
            ),
            this.#status,
            this.#log,
          )
        : "",
    );
    await this.#loadTail();
  }

  /** Runs a read of the console the person asked for; a failure is said in its status line. */
  #load(read: () => Promise<void>): void {
    read().catch((error: unknown) => {
      this.#status.textContent = isUnreachable(error)
        ? "The server cannot be reached: try again when it answers."
        : `Could not load: ${errorMessage(error)}`;
    });
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
    // No limit: every line, also those logged since the last look.
    const page = await api.strings(this.run, this.#path, {});
    this.#lines = page.string_series;
    this.#total = page.total;
    this.#renderLines();
  }

  /** Saves every line of the shown series as a text file. */
  async #save(): Promise<void> {
    const run = this.run;
    if (!run || !this.#path) return;
    // No limit: every line, also those a live run logged since the last look.
    const page = await api.strings(run, this.#path, {});
    const text = page.string_series.map((line) => line.value).join("\n");
    download(`${run.run_id}-${this.#path.replaceAll("/", "_")}.txt`, `${text}\n`);
  }

  /** Saves the run's whole console, every process's streams, as one text file. */
  async #saveConsole(): Promise<void> {
    const run = this.run;
    if (!run) return;
    const paths = consolePaths(run.string_series_paths);
    const pages = await Promise.all(paths.map((path) => api.strings(run, path, {})));
    download(`${run.run_id}-console.txt`, consoleText(pages.map((page) => page.string_series)));
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
