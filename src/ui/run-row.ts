/** One row of the runs table: its cells, and those that fill in when the run's data arrives. */

import type { RunSummary } from "./api.ts";
import { formatDuration, h } from "./dom.ts";
import { localTime } from "./local-time.ts";
import { deadWriter, shownStatus } from "./run-liveness.ts";
import { runKey } from "./view-state.ts";

/** The cells of one row that fill in when its configs and last values arrive. */
export interface RowCells {
  run: RunSummary;
  tags: HTMLElement;
  extras: HTMLElement[];
  /** Ticks while the run is running. */
  duration: HTMLElement;
}

export interface RowActions {
  /** The compare checkbox changed. */
  toggle(on: boolean): void;
  /** The run id was clicked: show the run's details. */
  open(): void;
  /** The run's colour in the charts, shown beside its id while it is compared. */
  color?: string;
  /** The run whose details are open: its row is marked. */
  focused?: boolean;
}

/** Milliseconds from creation to close (or to now, while running; to its last sign of life, once its writer is dead). */
export function duration(run: RunSummary): number {
  if (!run.created_at) return Number.NaN;
  const end =
    run.status === "running" || !run.closed_at
      ? (deadWriter(run)?.lastSeenMs ?? Date.now())
      : Date.parse(run.closed_at);
  return end - Date.parse(run.created_at);
}

export function runRow(
  run: RunSummary,
  extraColumns: number,
  selected: boolean,
  actions: RowActions,
): { row: HTMLTableRowElement; cells: RowCells } {
  const key = runKey(run);
  const tags = h("td", { class: "tags" });
  const extras = Array.from({ length: extraColumns }, () => h("td", { class: "extra" }));
  const durationCell = h("td", { class: "duration" }, formatDuration(duration(run)));
  // data-focus-key lets a redraw put the keyboard focus back where it was.
  const row = h(
    "tr",
    {
      "data-run": key,
      class:
        [selected ? "selected" : "", run.trashed ? "trashed" : "", actions.focused ? "focused" : ""]
          .join(" ")
          .trim() || undefined,
      "aria-current": actions.focused ? "true" : undefined,
    },
    h(
      "td",
      {},
      h("input", {
        type: "checkbox",
        "aria-label": `Compare ${run.run_id}`,
        "data-focus-key": `check|${key}`,
        checked: selected,
        onchange: (event: Event) => actions.toggle((event.target as HTMLInputElement).checked),
      }),
    ),
    h(
      "td",
      { class: "run-cell" },
      // Every row keeps the swatch's room, so that ids line up whether ticked or not.
      selected && actions.color
        ? h("span", {
            class: "swatch",
            style: `background:${actions.color}`,
            title: "Its colour in the charts",
          })
        : h("span", { class: "swatch blank", "aria-hidden": "true" }),
      h(
        "button",
        { class: "link", "data-focus-key": `open|${key}`, onclick: () => actions.open() },
        run.run_id,
      ),
    ),
    h("td", { class: "name" }, run.experiment_name ?? ""),
    h("td", {}, run.project),
    h(
      "td",
      { class: `status ${shownStatus(run)}`, title: deadWriter(run)?.reason },
      shownStatus(run) === "running" ? h("span", { class: "live", title: "live" }, "● ") : "",
      shownStatus(run),
      run.trashed ? " (trashed)" : "",
    ),
    h("td", { class: "time" }, localTime(run.created_at)),
    durationCell,
    tags,
    ...extras,
  );
  return { row, cells: { run, tags, extras, duration: durationCell } };
}
