/** `/api/projects` and `/api/runs`, from the run catalog. */

import { isoFromMicros } from "../values/time.ts";
import type { RunCatalog, RunSummary } from "./run-catalog.ts";

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

export function listRunsBody(catalog: RunCatalog, project: string | undefined): string {
  const files = catalog.files();
  const signature = catalog.changeToken(files);
  let current = caches.get(catalog);
  if (!current || current.signature !== signature) {
    const all: RunSummary[] = [];
    for (const run of files) {
      const summary = catalog.summary(run);
      if (summary) all.push(summary);
    }
    catalog.prune(files);
    // Newest created_at first, compared as strings; a missing one sorts last. Stable.
    all.sort((a, b) => {
      const x = a.created_at ?? "";
      const y = b.created_at ?? "";
      return x < y ? 1 : x > y ? -1 : 0;
    });
    current = { signature, all, bodies: new Map() };
    caches.set(catalog, current);
  }
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
