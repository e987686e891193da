/** `goodseed list [dir] [-p project] [--json]`: the projects, or the runs of one. */

import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { join } from "node:path";
import { FileReadStore } from "../catalog/file-read-store.ts";
import { judgeRunFile, walModified } from "../run/liveness.ts";
import { openLive } from "../storage/connection-pool.ts";
import { type CliContext, CliError } from "./context.ts";

export interface ListOptions {
  dir: string;
  /** Whether the user named `dir` (else it is the home's `projects`, which may not exist yet). @default false */
  dirGiven?: boolean;
  project: string | undefined;
  json: boolean;
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join("  "),
    )
    .join("\n");
}

function when(iso: string | null): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "-";
}

function runFileOf(projectsDir: string, project: string, runId: string): string {
  return join(projectsDir, ...project.split("/"), "runs", `${runId}.sqlite`);
}

/** Who left a `running` run behind, when its writer is gone (see `run/liveness.ts`); undefined while it lives or when the file cannot tell. */
function goneWriter(file: string): string | undefined {
  const walModifiedMs = walModified(file);
  let db: Database | undefined;
  try {
    db = openLive(file);
    const meta = new Map<string, string>();
    for (const row of db
      .query<{ key: string; value: string | null }, []>("SELECT key, value FROM run_meta")
      .all()) {
      if (row.value !== null) meta.set(row.key, row.value);
    }
    if (meta.get("status") !== "running") return undefined;
    const verdict = judgeRunFile(db, meta, walModifiedMs);
    return verdict.alive ? undefined : verdict.reason;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

export async function listCommand(context: CliContext, options: ListOptions): Promise<number> {
  const stats = statSync(options.dir, { throwIfNoEntry: false });
  if (stats && !stats.isDirectory()) {
    throw new CliError(`projects directory is not a directory: ${options.dir}`);
  }
  if (!stats) {
    if (options.dirGiven) throw new CliError(`projects directory does not exist: ${options.dir}`);
    // A fresh home has no `projects` before its first run: nothing to list, as `serve` says.
    if (options.json) {
      const empty = options.project === undefined ? { projects: [] } : { runs: [] };
      context.stdout(`${JSON.stringify(empty, null, 2)}\n`);
    } else {
      context.stdout(
        `No runs yet: ${options.dir} does not exist; runs show up here once a script logs one.\n`,
      );
    }
    return 0;
  }
  const store = new FileReadStore({
    projectsDir: options.dir,
    logger: { warn: (message) => context.stderr(`warning: ${message}\n`) },
    maxOpenFiles: 8,
    watch: false,
    warm: false,
  });
  try {
    if (options.project === undefined) {
      const items = (await store.projects()).value;
      if (options.json) {
        context.stdout(`${JSON.stringify({ projects: items }, null, 2)}\n`);
      } else if (items.length === 0) {
        context.stdout("No projects found.\n");
      } else {
        const rows = [["PROJECT", "RUNS", "LAST MODIFIED"]];
        for (const item of items)
          rows.push([item.name, String(item.run_count), when(item.last_modified)]);
        context.stdout(`${table(rows)}\n\n${items.length} project(s)\n`);
      }
      return 0;
    }
    // Many runs are read on two threads (the summary Worker helps).
    const runs = (await store.runs(options.project)).value;
    if (options.json) {
      context.stdout(`${JSON.stringify({ runs }, null, 2)}\n`);
    } else if (runs.length === 0) {
      context.stdout(`No runs found in project '${options.project}'.\n`);
    } else {
      const rows = [["RUN ID", "NAME", "STATUS", "CREATED", "METRICS"]];
      const notes: string[] = [];
      for (const run of runs) {
        let shown = run.status;
        if (run.status === "running") {
          const gone = goneWriter(runFileOf(options.dir, options.project, run.run_id));
          if (gone !== undefined) {
            shown = "crashed";
            notes.push(
              `${run.run_id}: ${gone}. To log more to it: new Run({ resumeRunId: '${run.run_id}' }).`,
            );
          }
        }
        const status = run.trashed ? `${shown} (trashed)` : shown;
        rows.push([
          run.run_id,
          run.experiment_name ?? "-",
          status,
          when(run.created_at),
          String(run.metric_paths.length),
        ]);
      }
      const crashed =
        notes.length > 0
          ? `\ncrashed: the file says 'running', but the process writing it is gone:\n${notes.join("\n")}\n`
          : "";
      context.stdout(`${table(rows)}\n\n${runs.length} run(s) in ${options.project}\n${crashed}`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
