/**
 * Projects and run lists from the catalog: the aggregation of run files into projects
 * and the newest-first ordering of runs, written once for the server and `goodseed list`.
 */

import type { ProjectSummary, RunSummary } from "../api/wire.ts";
import { isoFromMicros } from "../values/time.ts";
import type { RunCatalog } from "./run-catalog.ts";
import type { RunFile } from "./run-file.ts";

/** The projects of `files`, the one with the newest file first. */
export function projectsOf(files: readonly RunFile[]): ProjectSummary[] {
  const projects = new Map<string, { name: string; runCount: number; newestMs: number }>();
  for (const run of files) {
    const entry = projects.get(run.project);
    if (entry) {
      entry.runCount++;
      entry.newestMs = Math.max(entry.newestMs, run.mtimeMs);
    } else {
      projects.set(run.project, { name: run.project, runCount: 1, newestMs: run.mtimeMs });
    }
  }
  return [...projects.values()]
    .sort((a, b) => b.newestMs - a.newestMs)
    .map((project) => ({
      name: project.name,
      run_count: project.runCount,
      last_modified: isoFromMicros(Math.round(project.newestMs * 1000)),
    }));
}

/** Newest created_at first, compared as strings; a missing one sorts last. Stable. */
export function newestFirst(a: RunSummary, b: RunSummary): number {
  const x = a.created_at ?? "";
  const y = b.created_at ?? "";
  return x < y ? 1 : x > y ? -1 : 0;
}

interface RunList {
  readonly signature: string;
  readonly all: RunSummary[];
  /** The runs of each project asked for, as long as this list is current (a few dozen at most). */
  readonly byProject: Map<string, RunSummary[]>;
}

/** Projects whose filtered lists are kept per run list. */
const PROJECT_LISTS = 64;

/**
 * The run list of a catalog, kept until any run file changes. A list of thousands of
 * cold runs is read in slices (and on the summary Worker), so that other requests are
 * answered meanwhile; concurrent requests share one read.
 */
export class RunLists {
  readonly #catalog: RunCatalog;
  #current: RunList | undefined;
  #building: { signature: string; done: Promise<RunList> } | undefined;
  #projects: { signature: string; list: ProjectSummary[] } | undefined;

  constructor(catalog: RunCatalog) {
    this.#catalog = catalog;
  }

  projects(): { version: string; value: ProjectSummary[] } {
    const files = this.#catalog.files();
    const signature = this.#catalog.changeToken(files);
    if (this.#projects?.signature !== signature)
      this.#projects = { signature, list: projectsOf(files) };
    return { version: signature, value: this.#projects.list };
  }

  async runs(project: string | undefined): Promise<{ version: string; value: RunSummary[] }> {
    if (project !== undefined && !this.#current) {
      // Before the first full list: one project's runs need only that project's files read.
      const files = this.#catalog.files();
      const signature = this.#catalog.changeToken(files);
      const runs: RunSummary[] = [];
      const inProject = files.filter((run) => run.project === project);
      for (const summary of await this.#catalog.summaries(inProject))
        if (summary) runs.push(summary);
      return { version: signature, value: runs.sort(newestFirst) };
    }
    const list = await this.#list();
    if (project === undefined) return { version: list.signature, value: list.all };
    let value = list.byProject.get(project);
    if (!value) {
      value = list.all.filter((run) => run.project === project);
      if (list.byProject.size >= PROJECT_LISTS)
        list.byProject.delete(list.byProject.keys().next().value as string);
      list.byProject.set(project, value);
    }
    return { version: list.signature, value };
  }

  async #list(): Promise<RunList> {
    const files = this.#catalog.files();
    const signature = this.#catalog.changeToken(files);
    if (this.#current?.signature === signature) return this.#current;
    let pending = this.#building;
    if (!pending || pending.signature !== signature) {
      pending = { signature, done: this.#build(files, signature) };
      this.#building = pending;
    }
    const list = await pending.done;
    // The newest build is the one kept; an older one answers only its own requests.
    if (this.#building === pending) {
      this.#building = undefined;
      this.#current = list;
    }
    return list;
  }

  async #build(files: readonly RunFile[], signature: string): Promise<RunList> {
    const all: RunSummary[] = [];
    for (const summary of await this.#catalog.summaries(files)) if (summary) all.push(summary);
    this.#catalog.prune(files);
    return { signature, all: all.sort(newestFirst), byProject: new Map() };
  }
}
