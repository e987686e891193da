/**
 * The web UI's edits on the team server (`POST /api/run-edits`): a run's name,
 * description and tags are what its training process uploaded, so the server keeps
 * them as uploaded and refuses those edits in words; moving a run to the trash and back
 * is the server's own state (the read store's `setTrashed`, for keys that may write).
 */

import type { ReadStore, RunHandle } from "../api/read-store.ts";
import type { RunEdit, RunEditor } from "../api/run-edits.ts";
import { HttpError } from "../server/http-error.ts";

export const NOT_EDITED =
  "goodseed server keeps a run's name, description and tags as its training process uploaded them; only trash and restore are possible here";

export function trashOnlyEditor(store: Pick<ReadStore, "setTrashed">): RunEditor {
  return {
    async editRun(run: RunHandle, edit: RunEdit): Promise<void> {
      if (
        edit.name !== undefined ||
        edit.description !== undefined ||
        (edit.addTags?.length ?? 0) > 0 ||
        (edit.removeTags?.length ?? 0) > 0
      )
        throw new HttpError(405, NOT_EDITED);
      if (edit.trashed !== undefined) await store.setTrashed(run, edit.trashed);
    },
  };
}
