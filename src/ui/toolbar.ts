/**
 * The toolbar above the runs table: project, search, status and tag filters, the
 * columns to add, and the log scale. It is built once, so typing in it is never
 * interrupted; its choices (projects, tags, columns) grow as runs and configs arrive.
 */

import type { ConfigValue, RunSummary } from "./api.ts";
import { h } from "./dom.ts";
import type { ViewState } from "./view-state.ts";

export interface ToolbarHost {
  readonly view: ViewState;
  /** A filter or the columns changed: the view is to be saved and drawn again. */
  changed(): void;
  /** The log scale was switched. */
  logScale(on: boolean): void;
}

function option(value: string, label: string, selected: boolean) {
  return h("option", { value, selected }, label);
}

export class Toolbar {
  readonly element = h("div", { class: "toolbar filters" });
  readonly #host: ToolbarHost;
  readonly #projects: HTMLSelectElement;
  readonly #tags = h("datalist", { id: "tag-list" });
  #signature = "";
  /** Searches as you type; also takes value filters (`lr < 1e-3, optimizer = adam`). */
  readonly #search: HTMLInputElement;
  readonly #status: HTMLSelectElement;
  readonly #tag: HTMLInputElement;

  constructor(host: ToolbarHost) {
    this.#host = host;
    const view = host.view;
    this.#search = h("input", {
      type: "search",
      value: view.text,
      placeholder: "text, or lr < 1e-3, optimizer = adam",
      title:
        "Words match run id, name, project and tags; key op value (<, <=, >, >=, =, !=, ~) filters on a config or a metric's last value; separate terms with commas",
      oninput: this.#update((value) => (view.text = value)),
    });
    this.#status = h(
      "select",
      { onchange: this.#update((value) => (view.status = value)) },
      ...["", "running", "finished", "failed", "crashed"].map((value) =>
        option(value, value || "Any", value === view.status),
      ),
    );
    // Filters as you type, as the search box does (a tag picked from the list is typed too).
    this.#tag = h("input", {
      list: "tag-list",
      value: view.tag,
      oninput: this.#update((value) => (view.tag = value)),
    });
    this.#projects = h("select", { onchange: this.#update((value) => (view.project = value)) });
    this.element.replaceChildren(
      h("label", {}, "Project ", this.#projects),
      h("label", {}, "Search ", this.#search),
      h("label", {}, "Status ", this.#status),
      h("label", {}, "Tag ", this.#tag),
      this.#tags,
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          checked: view.log,
          onchange: (event: Event) => host.logScale((event.target as HTMLInputElement).checked),
        }),
        " Log scale",
      ),
    );
  }

  /** Shows the view's filters again after they were changed elsewhere ("Clear filters"). */
  showView(): void {
    const view = this.#host.view;
    this.#search.value = view.text;
    this.#status.value = view.status;
    this.#tag.value = view.tag;
  }

  #update(apply: (value: string) => void) {
    return (event: Event) => {
      apply((event.target as HTMLInputElement | HTMLSelectElement).value);
      this.#host.changed();
    };
  }

  /** Offers the projects, tags, config keys and metric paths of `runs` known so far. */
  updateChoices(
    runs: readonly RunSummary[],
    configsOf: (run: RunSummary) => Record<string, ConfigValue> | undefined,
  ): void {
    const projects = [...new Set(runs.map((run) => run.project))].sort();
    const tags = new Set<string>();
    const configKeys = new Set<string>();
    const metricPaths = new Set<string>();
    for (const run of runs) {
      for (const path of run.metric_paths) metricPaths.add(path);
      const configs = configsOf(run);
      if (!configs) continue;
      for (const key of Object.keys(configs)) configKeys.add(key);
      const runTags = configs["sys/tags"];
      if (Array.isArray(runTags)) for (const tag of runTags) tags.add(tag);
    }
    const signature = [
      projects.join(","),
      [...tags].join(","),
      configKeys.size,
      metricPaths.size,
      this.#host.view.project,
    ].join("|");
    if (signature === this.#signature) return;
    this.#signature = signature;
    this.#projects.replaceChildren(
      option("", "All projects", this.#host.view.project === ""),
      ...projects.map((project) => option(project, project, project === this.#host.view.project)),
    );
    this.#tags.replaceChildren(...[...tags].sort().map((tag) => h("option", { value: tag })));
  }
}
