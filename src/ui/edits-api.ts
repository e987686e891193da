/**
 * The page's writes: `POST /api/run-edits` (rename, describe, tag, trash), sent as JSON
 * from this page so the server can tell them from another site's.
 */

import type { RunEditResult, RunEditsRequest, RunEditsResponse } from "../api/run-edits.ts";
import { apiBase, type RunSummary } from "./api.ts";
import { signInIfAsked } from "./sign-in.ts";

/** What one request changes: the request body less the runs it names. */
export type RunEdit = { -readonly [K in keyof Omit<RunEditsRequest, "runs">]: RunEditsRequest[K] };
export type EditResult = RunEditResult;

/** Applies `edit` to `runs`; resolves with each run's result, rejects when nothing could be sent. */
export async function editRuns(
  runs: readonly Pick<RunSummary, "project" | "run_id">[],
  edit: RunEdit,
): Promise<EditResult[]> {
  const response = await fetch(`${apiBase}/api/run-edits`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      runs: runs.map((run) => ({ project: run.project, run_id: run.run_id })),
      ...edit,
    } satisfies RunEditsRequest),
  });
  const body = (await response.json()) as Partial<RunEditsResponse> & { error?: string };
  if (signInIfAsked(response, body, apiBase)) throw new Error("signing in first");
  if (body.results) return [...body.results];
  throw new Error(body.error ?? `HTTP ${response.status}`);
}

/** The failures of `results` in one sentence, or "" when every run was written. */
export function failures(results: readonly EditResult[]): string {
  const failed = results.filter((result) => !result.ok);
  if (failed.length === 0) return "";
  const first = failed[0]?.error ?? "";
  return failed.length === 1 ? first : `${failed.length} runs were not changed: ${first}`;
}
