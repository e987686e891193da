/**
 * `POST /api/run-edits`: rename, describe, tag and trash runs from the web UI. Only
 * the page this server served may write: on top of the access policy (an allowed
 * `Origin` and a JSON body for any page's POST), the `Origin` must be this server's
 * own, so no other web page, not even another one on localhost, can change a user's
 * runs through their browser; a request without `Origin` (no browser) is refused too.
 *
 * Body `{"runs": [{"project", "run_id"}, …], "name"?, "description"?, "add_tags"?,
 * "remove_tags"?, "trashed"?}`; answer `{"results": [{"project", "run_id", "ok",
 * "error"?}]}`, status 200 when any run was written, else the first refusal's.
 */

import { t } from "elysia";
import type { ReadStore } from "../api/read-store.ts";
import {
  checkEdit,
  type RunEdit,
  type RunEditor,
  RunEditRefused,
  type RunEditResult,
  type RunEditsRequest,
} from "../api/run-edits.ts";
import { HttpError } from "./http-error.ts";

/** Runs one request may change. */
export const MAX_EDITED_RUNS = 10_000;

export const RunEditsBody = t.Object({
  runs: t.Array(t.Object({ project: t.String(), run_id: t.String() }), {
    minItems: 1,
    maxItems: MAX_EDITED_RUNS,
    error: `runs must be a list of 1 to ${MAX_EDITED_RUNS} {project, run_id}`,
  }),
  name: t.Optional(t.String({ error: "name must be a string" })),
  description: t.Optional(t.String({ error: "description must be a string" })),
  add_tags: t.Optional(t.Array(t.String(), { error: "add_tags must be a list of strings" })),
  remove_tags: t.Optional(t.Array(t.String(), { error: "remove_tags must be a list of strings" })),
  trashed: t.Optional(t.Boolean({ error: "trashed must be true or false" })),
});

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

/** The edit a request body asks for, checked before any run is touched. */
export function editOf(body: RunEditsRequest): RunEdit {
  // Names and new tags without the spaces around them; a tag to remove is taken as it is
  // (the Python client stores a tag as given, spaces and all).
  const name = body.name?.trim();
  if (name === "")
    throw new HttpError(400, "A run name must not be empty (a run without one is shown by its id)");
  const edit: RunEdit = {
    ...(name !== undefined && { name }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.add_tags !== undefined && { addTags: body.add_tags.map((tag) => tag.trim()) }),
    ...(body.remove_tags !== undefined && { removeTags: body.remove_tags }),
    ...(body.trashed !== undefined && { trashed: body.trashed }),
  };
  if (edit.name !== undefined && body.runs.length > 1)
    throw new HttpError(400, "A name can be given to one run at a time");
  if (Object.keys(edit).length === 0)
    throw new HttpError(
      400,
      "Nothing to change: give name, description, add_tags, remove_tags or trashed",
    );
  try {
    checkEdit(edit);
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
  return edit;
}

function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof RunEditRefused) return error.reason === "active" ? 409 : 400;
  return 500;
}

/** Applies the request's edit to each of its runs; one run's refusal does not stop the others. */
export async function applyRunEdits(
  store: ReadStore,
  editor: RunEditor,
  body: RunEditsRequest,
): Promise<{ status: number; results: RunEditResult[] }> {
  const edit = editOf(body);
  const results: RunEditResult[] = [];
  let firstStatus = 0;
  for (const ref of body.runs) {
    const ok = { project: ref.project, run_id: ref.run_id };
    try {
      const run = await store.run(ref.project, ref.run_id);
      if (!run) throw new HttpError(404, `Run not found: ${ref.project}/${ref.run_id}`);
      await editor.editRun(run, edit);
      results.push({ ...ok, ok: true });
    } catch (error) {
      if (firstStatus === 0) firstStatus = statusOf(error);
      results.push({ ...ok, ok: false, error: (error as Error).message });
    }
  }
  return { status: results.some((result) => result.ok) ? 200 : firstStatus, results };
}
