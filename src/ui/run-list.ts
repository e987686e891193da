/**
 * The page's list of runs, kept current cheaply: `/api/projects` (a line per project)
 * says which projects changed, and only their runs are fetched again; the whole list
 * only at first, or when projects appeared or went away.
 */

import { api, type RunSummary } from "./api.ts";

/** Newest run first, by creation time. */
export function newestFirst(a: RunSummary, b: RunSummary): number {
  const x = a.created_at ?? "";
  const y = b.created_at ?? "";
  return x < y ? 1 : x > y ? -1 : 0;
}

export class RunList {
  /**
   * The first look at the projects, asked when the page starts so that its round trip
   * overlaps the page building itself; the run list is still asked after it answers.
   */
  #firstProjects: ReturnType<typeof api.projects> | undefined = api.projects();
  /**
   * The whole list, asked as soon as the projects answer: a linked view, drawn from its
   * own projects' runs, learns every run's colour from it before its charts first paint.
   */
  #firstRuns: Promise<RunSummary[]> | undefined;
  /** Each project's run count and last change, as `/api/projects` last said. */
  #projectVersions = new Map<string, string>();

  constructor() {
    this.#firstRuns = this.#firstProjects?.then(() => api.runs());
    // Awaited later; a failure then is handled where it is awaited.
    this.#firstProjects?.catch(() => {});
    this.#firstRuns?.catch(() => {});
  }

  /** The first whole list of runs, as `latest(true)` will answer it. */
  everyRun(): Promise<RunSummary[]> {
    return this.#firstRuns ?? api.runs();
  }

  /**
   * The run list now (`first`: the whole list); `current` gives the page's list as it
   * is once the projects have answered, the one to update.
   */
  async latest(first: boolean, current: () => RunSummary[]): Promise<RunSummary[]> {
    // Projects first: a change after this answer is seen by the next look.
    const asked = this.#firstProjects;
    const askedRuns = this.#firstRuns;
    this.#firstProjects = undefined;
    this.#firstRuns = undefined;
    const projects = await (asked ?? api.projects());
    // The first list was asked after the first projects' answer, as this order needs.
    const all = first ? await (asked && askedRuns ? askedRuns : api.runs()) : undefined;
    const versions = new Map(
      projects.map((project) => [project.name, `${project.run_count}:${project.last_modified}`]),
    );
    const previous = this.#projectVersions;
    this.#projectVersions = versions;
    if (all) return all;
    const sameProjects =
      versions.size === previous.size && [...versions.keys()].every((name) => previous.has(name));
    if (!sameProjects) return api.runs();
    const changed = [...versions].filter(([name, version]) => previous.get(name) !== version);
    if (changed.length === 0) return current();
    const fresh = await Promise.all(changed.map(([name]) => api.runs(name)));
    const replaced = new Set(changed.map(([name]) => name));
    return [...current().filter((run) => !replaced.has(run.project)), ...fresh.flat()].sort(
      newestFirst,
    );
  }
}
