/**
 * The runs of the table and what is known of them (configs, metric summaries), and
 * the questions the table, the sweep views and the export ask of them: which runs pass
 * the filters (the search box's text and value filters, status, tag, trash, axis
 * ranges), in which order (numbers as numbers), in which groups, with which columns.
 */

import type { ConfigValue, RunSummary } from "./api.ts";
import { formatValue } from "./dom.ts";
import { RunData } from "./run-data.ts";
import { compareSortable, parseQuery, passes, resolveKey, sortable } from "./run-filter.ts";
import { groupRuns, type RunGroup } from "./run-groups.ts";
import { shownStatus } from "./run-liveness.ts";
import { duration } from "./run-row.ts";
import { type Axis, inRange } from "./sweep-axes.ts";
import { type Column, isInternalKey, parseColumn } from "./table-columns.ts";
import type { TableView } from "./table-view.ts";
import type { ViewState } from "./view-state.ts";

export interface ModelHost {
  readonly view: ViewState;
  readonly table: TableView;
}

export class RunsModel {
  runs: RunSummary[] = [];
  /** The sweep views' axes of the last render, for their ranges to filter with. */
  axes: Axis[] = [];
  protected readonly data = new RunData();
  protected readonly host: ModelHost;
  /** Each configs object's keys, all and shown by default, computed once. */
  readonly #keyLists = new WeakMap<object, { all: string[]; shown: string[] }>();

  constructor(host: ModelHost) {
    this.host = host;
  }

  configsOf(run: RunSummary): Record<string, ConfigValue> | undefined {
    return this.data.configsOf(run);
  }

  /** Moves whenever a run's configs arrive or are forgotten. */
  get configsVersion(): number {
    return this.data.configsVersion;
  }

  /** The config keys to show of `run`: without per-process and source-code keys unless asked for. */
  protected shownKeys(run: RunSummary): readonly string[] {
    const configs = this.configsOf(run);
    if (!configs) return [];
    let keys = this.#keyLists.get(configs);
    if (!keys) {
      const all = Object.keys(configs);
      keys = { all, shown: all.filter((key) => !isInternalKey(key)) };
      this.#keyLists.set(configs, keys);
    }
    return this.host.table.internals ? keys.all : keys.shown;
  }

  loadConfigs(runs: readonly RunSummary[]): Promise<void> {
    return this.data.loadConfigs(runs);
  }

  /** Forgets what was fetched of `runs` (an edit). */
  forget(runs: readonly RunSummary[]): void {
    for (const run of runs) this.data.forget(run);
  }

  /** Forgets the metric summaries of `runs` (live runs that logged more): fetched again when next needed. */
  forgetSummaries(runs: readonly RunSummary[]): void {
    for (const run of runs) this.data.forgetSummaries(run);
  }

  /** Config keys of the runs whose configs are known, sorted (per-process keys only when shown). */
  configKeys(runs: readonly RunSummary[] = this.inProject()): string[] {
    const keys = new Set<string>();
    for (const run of runs) for (const key of this.shownKeys(run)) keys.add(key);
    return [...keys].sort();
  }

  metricPaths(runs: readonly RunSummary[] = this.inProject()): string[] {
    return [...new Set(runs.flatMap((run) => run.metric_paths))].sort();
  }

  /** A column's value for `run`: a config, or a metric summary once fetched. */
  valueOf(run: RunSummary, column: Column): unknown {
    if (column.kind === "config") return this.configsOf(run)?.[column.key];
    return this.data.summary(run, column.key)?.[column.summary];
  }

  protected columns(): Column[] {
    return this.host.view.columns
      .map(parseColumn)
      .filter((column): column is Column => column !== undefined);
  }

  protected tags(run: RunSummary): string[] {
    const tags = this.configsOf(run)?.["sys/tags"];
    return Array.isArray(tags) ? tags : [];
  }

  /** Metric paths whose summaries the view needs for every run: columns, filters, sort, sweep. */
  protected neededMetrics(): string[] {
    const view = this.host.view;
    const ids = [...view.columns, view.sort, this.host.table.metric];
    const paths = new Set<string>();
    for (const id of ids) {
      const column = parseColumn(id);
      if (column?.kind === "metric") paths.add(column.key);
    }
    const metricPaths = this.metricPaths();
    for (const filter of parseQuery(view.text).filters) {
      const column = parseColumn(filter.key);
      if (column?.kind === "metric") paths.add(column.key);
      else if (!column) {
        const path = resolveKey(filter.key, metricPaths);
        if (path !== undefined) paths.add(path);
      }
    }
    return [...paths];
  }

  /** Configs and the summaries of the needed metrics, of `runs`. */
  protected load(runs: readonly RunSummary[]): Promise<unknown> {
    return Promise.all([
      this.data.loadConfigs(runs),
      this.data.loadLastValues(runs, this.neededMetrics()),
    ]);
  }

  /** Whether the view needs every run's configs or summaries, not just the shown rows'. */
  protected needsEverything(): string {
    const view = this.host.view;
    const table = this.host.table;
    const sortsOnData = parseColumn(view.sort) !== undefined;
    const filters = parseQuery(view.text).filters.length > 0;
    const need =
      view.tag || sortsOnData || filters || table.group || table.sweep || table.ranges.length > 0;
    return need
      ? `${view.project}|${view.tag}|${view.sort}|${view.columns}|${view.text}|${table.group}|${table.sweep}|${table.metric}`
      : "";
  }

  protected inProject(): RunSummary[] {
    const project = this.host.view.project;
    return project ? this.runs.filter((run) => run.project === project) : this.runs;
  }

  /** Runs of the project that the trash switch lets through. */
  protected candidates(): RunSummary[] {
    const all = this.inProject();
    return this.host.table.trashed ? all : all.filter((run) => !run.trashed);
  }

  /** What a filter's key may name besides configs and metrics: the run's own fields. */
  #runFields(): Record<string, (run: RunSummary) => unknown> {
    return {
      status: (r) => r.status,
      id: (r) => r.run_id,
      run: (r) => r.run_id,
      project: (r) => r.project,
      name: (r) => r.experiment_name,
      tags: (r) => this.tags(r),
      tag: (r) => this.tags(r),
    };
  }

  /** Keys of the search box's filters that name nothing these runs have (a hint when none match). */
  unknownFilterKeys(): string[] {
    const { filters } = parseQuery(this.host.view.text);
    if (filters.length === 0) return [];
    const configKeys = this.configKeys(this.candidates());
    const metricPaths = this.metricPaths();
    const fields = this.#runFields();
    return filters
      .map((filter) => filter.key)
      .filter(
        (key) =>
          parseColumn(key) === undefined &&
          !(key.toLowerCase() in fields) &&
          resolveKey(key, configKeys) === undefined &&
          resolveKey(key, metricPaths) === undefined,
      );
  }

  /** A filter's value for `run`: a column id, a built-in field, a config key or a metric's last value. */
  #resolver(): (run: RunSummary, key: string) => unknown {
    const configKeys = this.configKeys(this.candidates());
    const metricPaths = this.metricPaths();
    const cache = new Map<string, Column | ((run: RunSummary) => unknown)>();
    return (run, key) => {
      let how = cache.get(key);
      if (how === undefined) {
        const column = parseColumn(key);
        const lower = key.toLowerCase();
        const builtins = this.#runFields();
        const config = resolveKey(key, configKeys);
        const metric = resolveKey(key, metricPaths);
        how =
          column ??
          builtins[lower] ??
          (config !== undefined
            ? { kind: "config", key: config, id: `config:${config}` }
            : metric !== undefined
              ? { kind: "metric", key: metric, summary: "last", id: `metric:${metric}` }
              : () => undefined);
        cache.set(key, how);
      }
      return typeof how === "function" ? how(run) : this.valueOf(run, how);
    };
  }

  /** The runs passing every filter but the sweep views' axis ranges: what those views draw. */
  filtered(): RunSummary[] {
    const view = this.host.view;
    const { text, filters } = parseQuery(view.text);
    const value = filters.length > 0 ? this.#resolver() : undefined;
    return this.candidates().filter((run) => {
      // As the table shows it: a running run whose writer died is crashed, not running.
      if (view.status && shownStatus(run) !== view.status) return false;
      if (view.tag && !this.tags(run).includes(view.tag)) return false;
      if (text.length > 0) {
        const haystack =
          `${run.run_id} ${run.experiment_name ?? ""} ${run.project} ${this.tags(run).join(" ")}`.toLowerCase();
        if (!text.every((term) => haystack.includes(term))) return false;
      }
      if (value)
        for (const f of filters) if (!passes(value(run, f.key), f.op, f.value)) return false;
      return true;
    });
  }

  /** The value an axis shows for `run` (a config, or the metric column of its key). */
  axisValue(run: RunSummary, key: string): unknown {
    const column = parseColumn(key);
    return column ? this.valueOf(run, column) : this.configsOf(run)?.[key];
  }

  /** The runs passing the filters and axis ranges, sorted. */
  visible(): RunSummary[] {
    const view = this.host.view;
    const ranges = this.host.table.ranges;
    let rows = this.filtered();
    if (ranges.length > 0) {
      const axes = new Map(this.axes.map((axis) => [axis.key, axis]));
      rows = rows.filter((run) =>
        ranges.every((range) => {
          const axis = axes.get(range.key);
          return !axis || inRange(axis, this.axisValue(run, range.key), range);
        }),
      );
    }
    const column = parseColumn(view.sort);
    const key = (run: RunSummary): unknown => {
      if (column) return this.valueOf(run, column);
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
          return run.created_at ?? "";
      }
    };
    const direction = view.descending ? -1 : 1;
    // Text that reads as a number is turned into one once here, not in every comparison.
    const keys = new Map(rows.map((run) => [run, sortable(key(run))]));
    return rows.sort((a, b) => compareSortable(keys.get(a), keys.get(b), direction));
  }

  /** The groups of `runs` by the grouping key, or `undefined` when the table is not grouped. */
  groups(runs: readonly RunSummary[]): RunGroup<RunSummary>[] | undefined {
    const typed = this.host.table.group;
    if (!typed) return undefined;
    const key = resolveKey(typed, this.configKeys()) ?? typed;
    return groupRuns(runs, key, (run) => this.configsOf(run)?.[key]);
  }

  /** The rows shown, as the table shows them, for a CSV file. */
  exportRows(): { header: string[]; rows: string[][] } {
    const columns = this.columns();
    const visible = this.visible();
    // Grouped, the rows come group by group, as the table shows them, each with its group.
    const groups = this.groups(visible);
    const groupOf = new Map(
      (groups ?? []).flatMap((group) => group.runs.map((run) => [run, group.label] as const)),
    );
    const runs = groups ? groups.flatMap((group) => group.runs) : visible;
    const header = [
      ...(groups ? ["group"] : []),
      "project",
      "run_id",
      "name",
      "status",
      "created_at",
      "closed_at",
      "duration_s",
      "tags",
    ];
    header.push(
      ...columns.map((column) =>
        column.kind === "config" ? column.key : `${column.key} (${column.summary})`,
      ),
    );
    const rows = runs.map((run) => [
      ...(groups ? [groupOf.get(run) ?? ""] : []),
      run.project,
      run.run_id,
      run.experiment_name ?? "",
      run.status,
      run.created_at ?? "",
      run.closed_at ?? "",
      Number.isFinite(duration(run)) ? String(Math.round(duration(run) / 1000)) : "",
      // A JSON list: tags may hold spaces and commas.
      JSON.stringify(this.tags(run)),
      ...columns.map((column) => {
        const value = this.valueOf(run, column);
        return typeof value === "number" ? String(value) : formatValue(value);
      }),
    ]);
    return { header, rows };
  }
}
