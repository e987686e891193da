/** `/api/projects` and `/api/runs`, from the run catalog. */

import type { RunCatalog, RunFile, RunSummary } from "../catalog/run-catalog.ts";
import { isoFromMicros } from "../values/time.ts";

interface ProjectEntry {
  name: string;
  runCount: number;
  newestMs: number;
}

const projectBodies = new WeakMap<RunCatalog, { token: string; body: string }>();

export function listProjectsBody(catalog: RunCatalog): string {
  const files = catalog.files();
  const token = catalog.changeToken(files);
  const cached = projectBodies.get(catalog);
  if (cached && cached.token === token) return cached.body;
  const projects = new Map<string, ProjectEntry>();
  for (const run of files) {
    const entry = projects.get(run.project);
    if (entry) {
      entry.runCount++;
      entry.newestMs = Math.max(entry.newestMs, run.mtimeMs);
    } else {
      projects.set(run.project, { name: run.project, runCount: 1, newestMs: run.mtimeMs });
    }
  }
  const sorted = [...projects.values()].sort((a, b) => b.newestMs - a.newestMs);
  const items = sorted.map((project) => ({
    name: project.name,
    run_count: project.runCount,
    last_modified: isoFromMicros(Math.round(project.newestMs * 1000)),
  }));
  const body = JSON.stringify({ projects: items });
  projectBodies.set(catalog, { token, body });
  return body;
}

/** The run list, and its bodies per project filter, kept until any run file changes. */
interface RunListCache {
  signature: string;
  all: RunSummary[];
  bodies: Map<string, string>;
}

const caches = new WeakMap<RunCatalog, RunListCache>();
const building = new WeakMap<RunCatalog, { signature: string; done: Promise<RunListCache> }>();

/** Newest created_at first, compared as strings; a missing one sorts last. Stable. */
function newestFirst(a: RunSummary, b: RunSummary): number {
  const x = a.created_at ?? "";
  const y = b.created_at ?? "";
  return x < y ? 1 : x > y ? -1 : 0;
}

/**
 * Reads every summary the list needs, letting other requests (a chart's points, one
 * project's runs) be answered while a cold list of thousands of runs is being read.
 */
async function buildList(
  catalog: RunCatalog,
  files: readonly RunFile[],
  signature: string,
): Promise<RunListCache> {
  const all: RunSummary[] = [];
  for (const summary of await catalog.summaries(files)) if (summary) all.push(summary);
  catalog.prune(files);
  return { signature, all: all.sort(newestFirst), bodies: new Map() };
}

async function currentList(catalog: RunCatalog): Promise<RunListCache> {
  const files = catalog.files();
  const signature = catalog.changeToken(files);
  const current = caches.get(catalog);
  if (current && current.signature === signature) return current;
  let pending = building.get(catalog);
  if (!pending || pending.signature !== signature) {
    pending = { signature, done: buildList(catalog, files, signature) };
    building.set(catalog, pending);
  }
  const list = await pending.done;
  // The newest build is the one kept; an older one answers only its own requests.
  if (building.get(catalog) === pending) {
    building.delete(catalog);
    caches.set(catalog, list);
  }
  return list;
}

export async function listRunsBody(
  catalog: RunCatalog,
  project: string | undefined,
): Promise<string> {
  if (project !== undefined && !caches.has(catalog)) {
    // Before the first full list: one project's runs need only that project's files read.
    const files = catalog.files().filter((run) => run.project === project);
    const runs: RunSummary[] = [];
    for (const run of files) {
      const summary = catalog.summary(run);
      if (summary) runs.push(summary);
    }
    return JSON.stringify({ runs: runs.sort(newestFirst) });
  }
  const current = await currentList(catalog);
  const key = project ?? "";
  let body = current.bodies.get(key);
  if (body === undefined) {
    const runs =
      project === undefined ? current.all : current.all.filter((run) => run.project === project);
    body = JSON.stringify({ runs });
    current.bodies.set(key, body);
  }
  return body;
}
