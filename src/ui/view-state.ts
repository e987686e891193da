/**
 * The view as the URL holds it, so a link reopens it: project, filters, sort, added
 * columns, the runs selected for comparison, the run shown in detail, and chart options.
 */

export { runKey } from "./chart-run.ts";

import { writeQuery } from "./url-query.ts";

export interface ViewState {
  project: string;
  text: string;
  status: string;
  tag: string;
  sort: string;
  descending: boolean;
  columns: string[];
  selected: string[];
  focus: string;
  log: boolean;
}

const DEFAULTS: ViewState = {
  project: "",
  text: "",
  status: "",
  tag: "",
  sort: "created",
  descending: true,
  columns: [],
  selected: [],
  focus: "",
  log: false,
};

export function readView(): ViewState {
  const params = new URLSearchParams(location.search);
  const list = (key: string) => (params.get(key) ?? "").split(",").filter((item) => item !== "");
  return {
    project: params.get("project") ?? DEFAULTS.project,
    text: params.get("q") ?? DEFAULTS.text,
    status: params.get("status") ?? DEFAULTS.status,
    tag: params.get("tag") ?? DEFAULTS.tag,
    sort: params.get("sort") ?? DEFAULTS.sort,
    descending: params.get("order") !== "asc",
    columns: list("cols"),
    selected: list("runs"),
    focus: params.get("run") ?? DEFAULTS.focus,
    log: params.get("log") === "1",
  };
}

export function writeView(view: ViewState): void {
  const params = new URLSearchParams(location.search);
  const set = (key: string, value: string, fallback: string) => {
    if (value === fallback) params.delete(key);
    else params.set(key, value);
  };
  set("project", view.project, "");
  set("q", view.text, "");
  set("status", view.status, "");
  set("tag", view.tag, "");
  set("sort", view.sort, DEFAULTS.sort);
  set("order", view.descending ? "desc" : "asc", "desc");
  set("cols", view.columns.join(","), "");
  set("runs", view.selected.join(","), "");
  set("run", view.focus, "");
  set("log", view.log ? "1" : "0", "0");
  writeQuery(params);
}
