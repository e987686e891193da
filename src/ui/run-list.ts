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
  /** Each project's run count and last change, as `/api/projects` last said. */
  #projectVersions = new Map<string, string>();

  constructor() {
    // Awaited later; a failure then is handled where it is awaited.
    this.#firstProjects?.catch(() => {});
  }

  /**
   * The run list now (`first`: the whole list); `current` gives the page's list as it
   * is once the projects have answered, the one to update.
   */
  async latest(first: boolean, current: () => RunSummary[]): Promise<RunSummary[]> {
    // Projects first: a change after this answer is seen by the next look.
    const asked = this.#firstProjects;
    this.#firstProjects = undefined;
    const projects = await (asked ?? api.projects());
    const all = first ? await api.runs() : undefined;
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
