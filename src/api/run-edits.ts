/**
 * Editing runs (the web UI's writes): what a request asks, what each run answers, and
 * the store capability that applies an edit. A store without it (a read-only server)
 * answers such requests with 405.
 */

import { validateName } from "../run/validate-name.ts";
import type { RunHandle } from "./read-store.ts";

/** One run named in a request. */
export interface RunRef {
  readonly project: string;
  readonly run_id: string;
}

/** The body of `POST /api/run-edits`. */
export interface RunEditsRequest {
  readonly runs: readonly RunRef[];
  readonly name?: string;
  readonly description?: string;
  readonly add_tags?: readonly string[];
  readonly remove_tags?: readonly string[];
  readonly trashed?: boolean;
}

/** Each run's answer: written, or why not. */
export interface RunEditResult extends RunRef {
  readonly ok: boolean;
  readonly error?: string;
}

/** The answer of `POST /api/run-edits`. */
export interface RunEditsResponse {
  readonly results: readonly RunEditResult[];
}

export interface RunEdit {
  /** New display name (at most 200 characters, no control characters). */
  readonly name?: string;
  readonly description?: string;
  readonly addTags?: readonly string[];
  readonly removeTags?: readonly string[];
  /** Move to the trash (`true`) or back (`false`). */
  readonly trashed?: boolean;
}

/** Whether `edit` changes the run's configs (name, description or tags), not only its trash state. */
export function touchesConfigs(edit: RunEdit): boolean {
  return (
    edit.name !== undefined ||
    edit.description !== undefined ||
    (edit.addTags?.length ?? 0) > 0 ||
    (edit.removeTags?.length ?? 0) > 0
  );
}

/** Why an edit was not written: a live writer holds the run (409), or the edit is invalid (400). */
export class RunEditRefused extends Error {
  readonly reason: "active" | "invalid";

  constructor(reason: "active" | "invalid", message: string) {
    super(message);
    this.name = "RunEditRefused";
    this.reason = reason;
  }
}

/** A store that can edit its runs. */
export interface RunEditor {
  /** Applies `edit` to `run`; rejects with {@link RunEditRefused} when it may not. */
  editRun(run: RunHandle, edit: RunEdit): Promise<void>;
}

/** Checks an edit before any file is opened, so a bad one writes nothing to any run. */
export function checkEdit(edit: RunEdit): void {
  try {
    if (edit.name !== undefined) validateName(edit.name);
  } catch (error) {
    throw new RunEditRefused("invalid", (error as Error).message);
  }
  for (const tag of [...(edit.addTags ?? []), ...(edit.removeTags ?? [])]) {
    if (tag.trim() === "") throw new RunEditRefused("invalid", "A tag must not be empty.");
    if (tag.length > 200)
      throw new RunEditRefused("invalid", "A tag must be at most 200 characters long.");
  }
}
