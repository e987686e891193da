/**
 * `POST /api/run-edits`: rename, describe, tag and trash runs from the web UI. Only
 * the page this server served may write: the request's `Origin` must be the server's
 * own and the body JSON (a `text/plain` form post, which a foreign page can send
 * without asking, is refused), so no other web page can change a user's runs through
 * their browser.
 *
 * Body: `{"runs": [{"project", "run_id"}, …], "name"?, "description"?, "add_tags"?,
 * "remove_tags"?, "trashed"?}`. Reply: `{"results": [{"project", "run_id", "ok",
 * "error"?}]}`, with status 200 when any run was written, else the first refusal's.
 */

import { checkEdit, editRunFile, type RunEdit, RunEditRefused } from "../catalog/run-editor.ts";
import { HttpError } from "./http-error.ts";
import { jsonResponse } from "./json.ts";
import { runFilePath } from "./routes.ts";

/** What an edit needs of the server: its directory, and the caches that must forget a file. */
export interface EditState {
  readonly root: string;
  readonly pool: { forget(file: string): void };
  readonly series: { forget(file: string): void };
  readonly catalog: { invalidate(file: string): void };
}

/** Runs one request may change. */
export const MAX_EDITED_RUNS = 10_000;

interface RunRef {
  readonly project: string;
  readonly run_id: string;
}

interface EditResult extends RunRef {
  readonly ok: boolean;
  readonly error?: string;
}

/** Refuses a request that did not come from this server's own page, or is not JSON. */
export function checkOwnPage(request: Request): void {
  const origin = request.headers.get("origin");
  const own = new URL(request.url).origin;
  if (origin !== own)
    throw new HttpError(
      403,
      origin === null
        ? "Run edits are accepted only from the goodseed web page (the request has no Origin header)."
        : `Run edits are accepted only from the goodseed web page at ${own}, not from ${origin}.`,
    );
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json")
    throw new HttpError(415, "Run edits must be sent as JSON (Content-Type: application/json).");
}

function strings(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string"))
    throw new HttpError(400, `${field} must be a list of strings`);
  return value as string[];
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new HttpError(400, `${field} must be a string`);
  return value;
}

/** The runs and the edit of a request body, checked field by field. */
export function parseEditBody(body: unknown): { runs: RunRef[]; edit: RunEdit } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new HttpError(400, "The body must be a JSON object");
  const record = body as Record<string, unknown>;
  const runs = record.runs;
  if (!Array.isArray(runs) || runs.length === 0)
    throw new HttpError(400, "runs must be a non-empty list of {project, run_id}");
  if (runs.length > MAX_EDITED_RUNS)
    throw new HttpError(400, `At most ${MAX_EDITED_RUNS} runs can be edited at once`);
  const refs = runs.map((run) => {
    const ref = run as Record<string, unknown> | null;
    if (typeof ref?.project !== "string" || typeof ref.run_id !== "string")
      throw new HttpError(400, "Each of runs must be {project, run_id} with two strings");
    return { project: ref.project, run_id: ref.run_id };
  });
  if (record.trashed !== undefined && typeof record.trashed !== "boolean")
    throw new HttpError(400, "trashed must be true or false");
  const edit: RunEdit = {
    ...(record.name !== undefined && { name: optionalString(record.name, "name") as string }),
    ...(record.description !== undefined && {
      description: optionalString(record.description, "description") as string,
    }),
    ...(record.add_tags !== undefined && {
      addTags: strings(record.add_tags, "add_tags") as string[],
    }),
    ...(record.remove_tags !== undefined && {
      removeTags: strings(record.remove_tags, "remove_tags") as string[],
    }),
    ...(typeof record.trashed === "boolean" && { trashed: record.trashed }),
  };
  if (edit.name !== undefined && refs.length > 1)
    throw new HttpError(400, "A name can be given to one run at a time");
  if (Object.keys(edit).length === 0)
    throw new HttpError(
      400,
      "Nothing to change: give name, description, add_tags, remove_tags or trashed",
    );
  return { runs: refs, edit };
}

export async function runEditsResponse(request: Request, state: EditState): Promise<Response> {
  checkOwnPage(request);
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new HttpError(400, "The body is not valid JSON");
  }
  const { runs, edit } = parseEditBody(body);
  try {
    checkEdit(edit);
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
  const results: EditResult[] = [];
  let firstStatus = 0;
  for (const ref of runs) {
    try {
      const file = runFilePath(
        state.root,
        ref.project,
        ref.run_id,
        (candidate) => Bun.file(candidate).size > 0,
      );
      state.pool.forget(file);
      state.series.forget(file);
      editRunFile(file, ref.run_id, edit);
      state.catalog.invalidate(file);
      results.push({ ...ref, ok: true });
    } catch (error) {
      const status =
        error instanceof HttpError
          ? error.status
          : error instanceof RunEditRefused
            ? error.reason === "active"
              ? 409
              : 400
            : 500;
      if (firstStatus === 0) firstStatus = status;
      results.push({ ...ref, ok: false, error: (error as Error).message });
    }
  }
  const anyWritten = results.some((result) => result.ok);
  return jsonResponse(JSON.stringify({ results }), anyWritten ? 200 : firstStatus);
}
