/**
 * `goodseed upload -p <workspace/project> [--run-id <id>] [--api-key <key>]`: uploads
 * what the runs of a project have not uploaded yet (a run logged with local storage,
 * or one whose process died mid-upload), run by run, with a progress display. Running
 * it twice uploads nothing twice.
 */

import { Database } from "bun:sqlite";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ApiClient } from "../cloud/api-client.ts";
import { defaultWorkspace, splitProject } from "../cloud/remote-run.ts";
import { RunUploader } from "../cloud/run-uploader.ts";
import { countPending } from "../cloud/upload-batches.ts";
import { judgeRunFile, type WriterVerdict, walModified } from "../run/liveness.ts";
import { projectProblem, runsDir } from "../settings/home-layout.ts";
import { requireValidApiUrl, resolveSettings } from "../settings/settings.ts";
import { type CliContext, CliError, UsageError } from "./context.ts";
import { errorLine } from "./error-line.ts";

export interface UploadOptions {
  project: string | undefined;
  runId: string | undefined;
  apiKey: string | undefined;
  /** Send every row again, also those uploaded before (to another server). @default false */
  all?: boolean;
}

/** Failed attempts in a row before a run's upload gives up (with backoff: about two minutes). */
const MAX_ATTEMPTS = 10;

/** The run's meta, and for a run left `running`, whether its writer is still alive. */
function readMeta(file: string): { meta: Map<string, string>; writer: WriterVerdict | undefined } {
  const walModifiedMs = walModified(file);
  const db = new Database(file, { readonly: true });
  try {
    const meta = new Map<string, string>();
    for (const row of db
      .query<{ key: string; value: string | null }, []>("SELECT key, value FROM run_meta")
      .all()) {
      if (row.value !== null) meta.set(row.key, row.value);
    }
    const writer =
      meta.get("status") === "running" ? judgeRunFile(db, meta, walModifiedMs) : undefined;
    return { meta, writer };
  } finally {
    db.close();
  }
}

/** Marks every row of the file not uploaded, so that the next upload sends them all. */
function markAllPending(file: string): void {
  const db = new Database(file, { readwrite: true, create: false });
  try {
    db.run("PRAGMA busy_timeout=5000");
    db.transaction(() => {
      for (const table of ["configs", "metric_points", "string_points"])
        db.run(`UPDATE ${table} SET uploaded = 0 WHERE uploaded <> 0`);
    }).immediate();
  } finally {
    db.close();
  }
}

function pendingIn(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return countPending(db);
  } finally {
    db.close();
  }
}

export async function uploadCommand(context: CliContext, options: UploadOptions): Promise<number> {
  if (!options.project)
    throw new UsageError("--project is required (the project whose runs to upload)");
  const problem = projectProblem(options.project);
  if (problem) throw new UsageError(`--project ${problem}`);
  const settings = resolveSettings({ apiKey: options.apiKey }, context.env);
  if (!settings.apiKey) {
    throw new CliError("No API key: set GOODSEED_API_KEY, pass --api-key, or run `goodseed init`.");
  }
  requireValidApiUrl(settings);
  const api = new ApiClient({
    baseUrl: settings.apiUrl,
    apiKey: settings.apiKey,
    appUrl: settings.appUrl,
    fetch: context.fetch,
    timeoutMs: settings.timing.requestTimeoutMs,
  });
  const dir = runsDir(settings.home, options.project);
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith(".sqlite"))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    throw new CliError(`No runs to upload: ${dir} does not exist.`);
  }
  if (options.runId !== undefined) {
    const file = join(dir, `${options.runId}.sqlite`);
    if (!statSync(file, { throwIfNoEntry: false })?.isFile())
      throw new CliError(`Run '${options.runId}' not found at ${file}.`);
    files = [file];
  }
  if (files.length === 0) {
    context.stdout(`No runs found in project '${options.project}'.\n`);
    return 0;
  }

  let remoteProject = options.project;
  if (!splitProject(remoteProject)) {
    const workspace = await defaultWorkspace(api);
    if (workspace.kind !== "ok")
      throw new CliError(
        `Could not find your default workspace at ${settings.apiUrl} (${workspace.message}). Name it in the project, e.g. -p my-team/${options.project}, or check the API key and URL.`,
      );
    remoteProject = `${workspace.body}/${options.project}`;
  }

  let failures = 0;
  for (const [index, file] of files.entries()) {
    const stem = file.slice(dir.length + 1, -".sqlite".length);
    const counter = `[${index + 1}/${files.length}]`;
    if (statSync(file, { throwIfNoEntry: false })?.size === 0) {
      // As in `list`: a writer killed before its first write leaves no run to upload.
      context.stdout(
        `${counter} Skipping run '${stem}': its file is empty (no run was written to it).\n`,
      );
      continue;
    }
    let meta: Map<string, string>;
    let writer: WriterVerdict | undefined;
    let total: number;
    const skip = (error: unknown) => {
      context.stderr(
        errorLine(
          `${counter} skipping ${file}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      failures++;
    };
    try {
      ({ meta, writer } = readMeta(file));
      total = pendingIn(file);
    } catch (error) {
      skip(error);
      continue;
    }
    if (writer?.alive) {
      context.stdout(
        `${counter} Skipping run '${stem}': it is still being written (${writer.reason}); its process uploads it.\n`,
      );
      continue;
    }
    if (options.all) {
      try {
        markAllPending(file);
        total = pendingIn(file);
      } catch (error) {
        skip(error);
        continue;
      }
    }
    context.stdout(`${counter} Uploading run '${stem}' from ${file} ...\n`);
    const errors: string[] = [];
    const uploader = new RunUploader({
      file,
      identity: {
        project: remoteProject,
        runId: meta.get("run_id") ?? stem,
        name: meta.get("name") ?? meta.get("experiment_name"),
        createdAt: meta.get("created_at"),
        modifiedAt: meta.get("modified_at"),
      },
      api,
      pauseMs: 0,
      retryBaseMs: settings.timing.retryBaseMs,
      maxAttempts: MAX_ATTEMPTS,
      events: {
        warn: (message) => context.stderr(`warning: ${message}\n`),
        error: (message) => errors.push(message),
        progress: (uploaded) => {
          if (context.isTTY)
            context.stderr(
              `\r${counter} ${uploaded.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} items`,
            );
        },
      },
    });
    await uploader.finish();
    if (context.isTTY && uploader.uploaded > 0) context.stderr("\n");
    if (uploader.state === "finished") {
      context.stdout(
        total === 0 && !options.all
          ? `${counter} Done. Uploaded 0 item(s). All were uploaded before; to send them again (to another server, or one whose database was reset): goodseed upload -p ${options.project} --run-id ${stem} --all\n`
          : `${counter} Done. Uploaded ${uploader.uploaded} item(s).\n`,
      );
    } else {
      failures++;
      for (const message of errors) context.stderr(errorLine(message));
      const untried = files
        .slice(index + 1)
        .map((other) => other.slice(dir.length + 1, -".sqlite".length));
      if (uploader.gaveUpUnanswered && untried.length > 0) {
        // The next runs would knock as long on the same closed door.
        context.stderr(
          errorLine(
            `${settings.apiUrl} does not answer: ${untried.length} run(s) not tried: ${untried.join(", ")}. Run 'goodseed upload -p ${options.project}' again once it answers.`,
          ),
        );
        break;
      }
    }
  }
  return failures === 0 ? 0 : 1;
}
