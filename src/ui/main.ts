/**
 * The web UI of `goodseed serve`: projects and runs, charts of the runs chosen for
 * comparison, their config diff, and one run's details, all read from the JSON API
 * (so the page also works against any other goodseed server: `?api=http://host:port`).
 */

import { api, apiBase, type RunSummary } from "./api.ts";
import { connectionBanner, Notices } from "./banner.ts";
import { ChartBoard } from "./chart-board.ts";
import { Comparison } from "./comparison.ts";
import { RunDetails } from "./details.ts";
import { h } from "./dom.ts";
import { RunColors } from "./run-colors.ts";
import { newestFirst, RunList } from "./run-list.ts";
import { checkLiveness } from "./run-liveness.ts";
import { RunsTable } from "./runs-table.ts";
import { SweepViews } from "./sweep-views.ts";
import { TableControls } from "./table-controls.ts";
import { readTableView, writeTableView } from "./table-view.ts";
import { Toolbar } from "./toolbar.ts";
import { saveView } from "./view-history.ts";
import { readView, runKey, writeView } from "./view-state.ts";

const LIVE_MS = 3000;

const runList = new RunList();

const view = readView();
const tableView = readTableView();
const notices = new Notices();

/** Saves the whole view in the URL (a history entry when a person may want to undo it). */
function save(): void {
  saveView(() => {
    writeView(view);
    writeTableView(tableView);
  });
}

/** Back or Forward: the page shows the view its URL holds now. */
window.addEventListener("popstate", () => {
  Object.assign(view, readView());
  Object.assign(tableView, readTableView());
  toolbar.showView();
  controls.showView();
  renderAll();
  // The details follow the run the entry had open (none: they close).
  if (view.focus === (details.run ? runKey(details.run) : "")) return;
  const run = view.focus ? byKey(view.focus) : undefined;
  if (run) void details.show(run, table.configsOf(run));
  else if (view.focus) details.missing(view.focus);
  else details.close();
});

/** Runs were written from this page: their projects' run lists are fetched again. */
async function edited(runs: readonly RunSummary[]): Promise<void> {
  const projects = [...new Set(runs.map((run) => run.project))];
  const fresh = await Promise.all(projects.map((project) => api.runs(project)));
  const replaced = new Set(projects);
  table.forget(runs);
  table.runs = [...table.runs.filter((run) => !replaced.has(run.project)), ...fresh.flat()].sort(
    newestFirst,
  );
  renderAll();
  const shown = details.run ? byKey(runKey(details.run)) : undefined;
  if (shown) {
    await table.loadConfigs([shown]);
    await details.show(shown, table.configsOf(shown));
  }
}

const details = new RunDetails({
  edited,
  notices,
  showInternals: () => tableView.internals,
});
/** One colour per run in every view, dealt over every run the server lists. */
const colors = new RunColors();
const board = new ChartBoard({
  log: () => view.log,
  colorOf: (run) => colors.of(run),
  colorsPending: () => colors.pending(),
});
let runsSignature = "";

const table = new RunsTable({
  view,
  table: tableView,
  filtersCleared: () => toolbar.showView(),
  changed: () => {
    save();
    renderAll();
  },
  focus: (run) => focusRun(run),
  loaded: () => updateChoices(),
  colorOf: (run) => colors.of(run),
  notify: (text) => notices.show(text),
});
const sweep = new SweepViews({
  table: tableView,
  changed: () => {
    save();
    renderAll();
  },
  focus: (run) => focusRun(run),
  configKeys: (runs) => table.configKeys(runs),
  metricPaths: (runs) => table.metricPaths(runs),
  axisValue: (run, key) => table.axisValue(run, key),
  setAxes: (axes) => {
    table.axes = axes;
  },
  comparedColor: (run) => (view.selected.includes(runKey(run)) ? colors.of(run) : undefined),
});
const controls = new TableControls(
  {
    view,
    table: tableView,
    changed: () => {
      save();
      renderAll();
    },
    edited,
    notices,
  },
  table,
  sweep,
);
table.parts = controls;

const toolbar = new Toolbar({
  view,
  changed: () => {
    save();
    renderAll();
  },
  logScale: (on) => {
    view.log = on;
    writeView(view);
    board.rerender();
  },
});
const compare = new Comparison({
  board,
  table,
  tableView,
  colors,
  runs: () => comparedRuns(),
});
const status = document.getElementById("status") as HTMLElement;

/** Runs of the linked view's projects, known before the full list arrives. */
const early = new Map<string, RunSummary>();

/** The table's runs by key, made again when the table's list is replaced. */
let runIndex: { runs: readonly RunSummary[]; byKey: Map<string, RunSummary> } | undefined;

function byKey(key: string): RunSummary | undefined {
  if (runIndex?.runs !== table.runs)
    runIndex = { runs: table.runs, byKey: new Map(table.runs.map((run) => [runKey(run), run])) };
  return runIndex.byKey.get(key) ?? early.get(key);
}

/** What the toolbar's choices were last made from. */
let choicesMadeOf: { runs: readonly RunSummary[]; configs: number; project: string } | undefined;

/** The toolbar's projects and tags, made again only when runs, configs or the project changed. */
function updateChoices(): void {
  const now = { runs: table.runs, configs: table.configsVersion, project: view.project };
  if (
    choicesMadeOf &&
    choicesMadeOf.runs === now.runs &&
    choicesMadeOf.configs === now.configs &&
    choicesMadeOf.project === now.project
  )
    return;
  choicesMadeOf = now;
  toolbar.updateChoices(table.runs, (run) => table.configsOf(run));
}

/**
 * Opens a run's details, from the table or a sweep view alike; with no runs ticked the
 * charts show the opened run, so they follow it.
 */
function focusRun(run: RunSummary): void {
  view.focus = runKey(run);
  save();
  table.render();
  // The details open under the table, above the charts, and come into view.
  void details
    .show(run, table.configsOf(run))
    .then(() => details.element.scrollIntoView({ block: "nearest" }));
  void renderCompare();
}

/** The runs to chart: the selected ones, else the run shown in detail. */
function comparedRuns(): RunSummary[] {
  const keys = view.selected.length > 0 ? view.selected : view.focus ? [view.focus] : [];
  return keys.map(byKey).filter((run): run is RunSummary => run !== undefined);
}

/** Draws the comparison; resolves when the charts on screen have drawn. */
function renderCompare(): Promise<unknown> {
  // Two compared runs dealt one colour (30 or more runs apart) are told apart.
  if (colors.compare(view.selected)) board.recolor();
  return compare.render();
}

/** What the charts are drawn from: the compared runs as far as the comparison shows them. */
function compareSignature(): string {
  return comparedRuns()
    .map(
      (run) =>
        `${runKey(run)}:${run.status}:${run.trashed}:${run.experiment_name}:${run.metric_paths.length}`,
    )
    .join("|");
}

/** The comparison a linked view drew from its projects' run lists (undefined: none). */
let linkedCompare: string | undefined;

/** Whether per-process and source-code keys were shown at the last redraw. */
let internalsShown = tableView.internals;

function renderAll(): void {
  if (colors.compare(view.selected)) board.recolor();
  updateChoices();
  table.render();
  if (tableView.internals !== internalsShown) {
    internalsShown = tableView.internals;
    details.internalsChanged();
  }
  void renderCompare();
}

async function refresh(first: boolean): Promise<void> {
  const runs = await runList.latest(first, () => table.runs);
  const signature = runs
    .map(
      (run) =>
        `${runKey(run)}:${run.status}:${run.trashed}:${run.experiment_name}:${run.metric_paths.length}:${run.string_series_paths.length}`,
    )
    .join("|");
  table.runs = runs;
  // A longer list (the first full one after a linked view's projects) may deal older
  // runs first, and so other colours.
  if (colors.learn(runs)) board.recolor();
  status.textContent = `${runs.length} runs${apiBase ? ` from ${apiBase}` : ""}`;
  if (first || signature !== runsSignature) {
    runsSignature = signature;
    if (
      first &&
      !tableView.group &&
      linkedCompare !== undefined &&
      linkedCompare === compareSignature()
    ) {
      // A linked view drew (or is drawing) these very runs: the full list adds the table
      // (grouped, the charts' groups come from the table's, so they are drawn again).
      // Drawing the comparison again re-attached every chart and forced a layout of the
      // whole page in the middle of the charts' first draws (600-800 ms of a 30-run
      // board's main thread under load, in a CPU profile).
      updateChoices();
      table.render();
    } else renderAll();
  }
  board.update(runs);
  // Running runs' metric summaries grow: their metric cells are fetched again in place.
  table.refreshLive(runs.filter((run) => run.status === "running"));
  // A running run whose writer died shows as crashed (the API's status stays "running").
  void checkLiveness(
    api.liveness,
    runs.filter((run) => run.status === "running"),
  ).then((changed) => {
    if (!changed) return;
    table.render();
    if (details.run) details.update(details.run, table.configsOf(details.run));
  });
  if (first) sayMissingCompared();
  if (first && view.focus && !details.run) {
    const run = byKey(view.focus);
    if (run) await details.show(run, table.configsOf(run));
    else details.missing(view.focus);
  } else if (details.run) {
    // A live run that finished (or was renamed, trashed) says so in its details.
    const before = details.run;
    const now = byKey(runKey(before));
    if (
      now &&
      (now.status !== before.status ||
        now.closed_at !== before.closed_at ||
        now.experiment_name !== before.experiment_name ||
        now.trashed !== before.trashed)
    )
      details.update(now, table.configsOf(now));
  }
}

/** A link compared runs this server does not have: says so, and offers to drop them. */
function sayMissingCompared(): void {
  const missing = view.selected.filter((key) => !byKey(key));
  if (missing.length === 0) return;
  const names = missing.map((key) => key.replace(":", " / ")).join(", ");
  notices.show(
    `${missing.length === 1 ? "A compared run is" : `${missing.length} compared runs are`} not on this server (deleted, moved or mistyped): ${names}.`,
    {
      label: "Drop from the comparison",
      run: () => {
        view.selected = view.selected.filter((key) => !missing.includes(key));
        save();
        renderAll();
      },
    },
    60_000,
  );
}

/**
 * A link to compared or detailed runs draws them from their projects' (short) run
 * lists, without waiting for the list of every run on the server.
 */
async function showLinkedRuns(): Promise<void> {
  const keys = [...view.selected, view.focus].filter((key) => key !== "");
  const projects = [...new Set(keys.map((key) => key.slice(0, key.lastIndexOf(":"))))];
  if (projects.length === 0) return;
  // Colours are dealt over every run on the server: the charts fetch from these
  // projects' lists, but paint once the whole list is in (or after a second and a half).
  colors.hold(1500);
  void runList.everyRun().then(
    (runs) => {
      if (colors.learn(runs)) board.recolor();
    },
    () => {},
  );
  const lists = await Promise.all(projects.map((project) => api.runs(project)));
  if (table.runs.length > 0) return;
  for (const run of lists.flat()) early.set(runKey(run), run);
  colors.learn([...early.values()], false);
  const focused = view.focus ? early.get(view.focus) : undefined;
  const drawing = renderCompare();
  linkedCompare = compareSignature();
  await Promise.all([drawing, focused ? details.show(focused, undefined) : undefined]);
  // The whole list may be in already (asked at start): the charts reach the screen
  // before the table of every run is built.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function live(): Promise<void> {
  try {
    await refresh(false);
    const running = comparedRuns().some((run) => run.status === "running");
    if (running) await board.extend();
    if (details.run && byKey(runKey(details.run))?.status === "running") await details.extend();
  } catch {
    // The banner says the server cannot be reached; the next turn tries again.
  } finally {
    setTimeout(() => void live(), LIVE_MS);
  }
}

const app = document.getElementById("app") as HTMLElement;
app.replaceChildren(
  connectionBanner(apiBase),
  toolbar.element,
  table.element,
  details.element,
  compare.element,
  notices.element,
);
// A linked view draws its charts first; the full run list (thousands of runs) follows,
// or comes anyway after a second and a half.
/** The first full list; while the server cannot be reached the banner says so and it retries. */
async function start(): Promise<void> {
  try {
    await refresh(true);
  } catch (error) {
    if (!(error instanceof TypeError)) {
      app.append(
        h("p", { class: "error", role: "alert" }, `Could not load runs: ${String(error)}`),
      );
      return;
    }
    setTimeout(() => void start(), LIVE_MS);
    return;
  }
  setTimeout(() => void live(), LIVE_MS);
}

Promise.race([
  showLinkedRuns().catch(() => {}),
  new Promise((resolve) => setTimeout(resolve, 1500)),
]).then(() => start());
