/** `goodseed list [dir] [-p project] [--json]`: the projects, or the runs of one. */

import { statSync } from "node:fs";
import { FileReadStore } from "../catalog/file-read-store.ts";
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
      for (const run of runs) {
        const status = run.trashed ? `${run.status} (trashed)` : run.status;
        rows.push([
          run.run_id,
          run.experiment_name ?? "-",
          status,
          when(run.created_at),
          String(run.metric_paths.length),
        ]);
      }
      context.stdout(`${table(rows)}\n\n${runs.length} run(s) in ${options.project}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
