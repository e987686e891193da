/**
 * The web UI's edits on the team server (`POST /api/run-edits`): a new name,
 * description, tags added or removed, trash and restore. They are written the way the
 * training process's own values are: `sys/name`, `sys/description` and the `sys/tags`
 * string set as configs (next in the run's config order, Python's JSON for the set),
 * the name also as the run's display name, so `/api/runs`, the configs and the remote
 * read API all show them. One transaction per run, which also logs the edit and the key
 * that made it in `run_edits`; a rename sets `renamed_at`, so the training process
 * registering the run again does not put its old name back.
 *
 * Refused as `goodseed serve` refuses them: a key whose role in the run's workspace may
 * not write (a viewer) gets 403; a run whose training process is still live (status
 * `running`, a heartbeat within {@link DatabaseRunEditorOptions.liveHeartbeatMs}) keeps
 * its name, description and tags, since that process would write its own over them
 * (409; trash and restore still go through); an invalid edit writes nothing (400).
 */

import type { SQL } from "bun";
import type { RunHandle } from "../api/read-store.ts";
import {
  checkEdit,
  type RunEdit,
  type RunEditor,
  RunEditRefused,
  touchesConfigs,
} from "../api/run-edits.ts";
import { HttpError } from "../server/http-error.ts";
import { parseStringSet } from "../values/config-value.ts";
import { pythonJsonStringSet } from "../values/python-json.ts";
import type { Principal } from "./keys.ts";
import type { DbRunHandle } from "./read-store.ts";
import { allows, touchCatalog } from "./tenancy.ts";
import { fromUtf8, utf8 } from "./utf8.ts";

export interface DatabaseRunEditorOptions {
  readonly sql: SQL;
  /** The key the edits come from: its roles decide, its id is logged. */
  readonly principal: Principal;
  /**
   * A `running` run whose last heartbeat is this recent is being written (both clients
   * beat every 15 s). @default 60000
   */
  readonly liveHeartbeatMs?: number;
}

/** What an edit writes as configs, in the order `goodseed serve`'s editor writes them. */
async function configsOf(
  tx: SQL,
  runId: number,
  edit: RunEdit,
): Promise<{ path: string; tag: string; value: string }[]> {
  const rows: { path: string; tag: string; value: string }[] = [];
  if (edit.name !== undefined) rows.push({ path: "sys/name", tag: "str", value: edit.name });
  if (edit.description !== undefined)
    rows.push({ path: "sys/description", tag: "str", value: edit.description });
  const adding = edit.addTags ?? [];
  const removing = edit.removeTags ?? [];
  if (adding.length === 0 && removing.length === 0) return rows;
  const [row] =
    await tx`SELECT type_tag, value FROM configs WHERE run_id = ${runId} AND path = ${utf8("sys/tags")}`;
  if (row && row.type_tag !== "string_set")
    throw new RunEditRefused(
      "invalid",
      `Cannot change the tags: sys/tags holds a config of type '${row.type_tag}', not a string set.`,
    );
  // `.remove` on a missing set does nothing, as in the library.
  if (!row && adding.length === 0) return rows;
  const tags = row
    ? parseStringSet(row.value === null ? "[]" : fromUtf8(row.value))
    : new Set<string>();
  for (const tag of adding) tags.add(tag);
  for (const tag of removing) tags.delete(tag);
  rows.push({ path: "sys/tags", tag: "string_set", value: pythonJsonStringSet(tags) });
  return rows;
}

export function databaseRunEditor(options: DatabaseRunEditorOptions): RunEditor {
  const { sql, principal } = options;
  const liveMs = options.liveHeartbeatMs ?? 60_000;
  return {
    async editRun(run: RunHandle, edit: RunEdit): Promise<void> {
      const handle = run as DbRunHandle;
      if (!allows(principal, handle.workspace, "write"))
        throw new HttpError(
          403,
          `the key's role in workspace '${handle.workspace}' does not allow editing runs`,
        );
      checkEdit(edit);
      const configs = touchesConfigs(edit);
      await sql.begin(async (tx) => {
        const [state] = await tx`SELECT status, heartbeat_ms FROM runs WHERE id = ${handle.id}`;
        if (!state) throw new HttpError(404, `Run not found: ${run.project}/${run.runId}`);
        const beat = state.heartbeat_ms === null ? undefined : Number(state.heartbeat_ms);
        if (
          configs &&
          state.status === "running" &&
          beat !== undefined &&
          Date.now() - beat < liveMs
        )
          throw new RunEditRefused(
            "active",
            `Run '${run.runId}' is still being written (its last heartbeat was ${Math.round((Date.now() - beat) / 1000)} s ago), and that process keeps its name and tags: change them there (run["sys/name"] = …, run["sys/tags"].add(…)), or here once the run has finished.`,
          );
        const now = new Date().toISOString();
        const rows = await configsOf(tx, handle.id, edit);
        if (rows.length > 0) {
          const [counter] =
            await tx`UPDATE runs SET config_seq = config_seq + ${rows.length}, updated_ms = ${Date.now()} WHERE id = ${handle.id} RETURNING config_seq`;
          let seq = Number(counter.config_seq) - rows.length;
          for (const row of rows) {
            seq++;
            await tx`INSERT INTO configs (run_id, path, type_tag, value, updated_at, seq)
              VALUES (${handle.id}, ${utf8(row.path)}, ${row.tag}, ${utf8(row.value)}, ${now}, ${seq})
              ON CONFLICT (run_id, path) DO UPDATE SET type_tag = excluded.type_tag, value = excluded.value,
              updated_at = excluded.updated_at, seq = excluded.seq`;
          }
        }
        if (edit.name !== undefined)
          await tx`UPDATE runs SET experiment_name = ${edit.name}, renamed_at = ${now} WHERE id = ${handle.id}`;
        if (edit.trashed !== undefined)
          await tx`UPDATE runs SET trashed = ${edit.trashed ? 1 : 0} WHERE id = ${handle.id}`;
        await tx`INSERT INTO run_edits (run_id, key_id, edited_at, edit) VALUES (${handle.id}, ${principal.id}, ${now}, ${JSON.stringify(edit)})`;
        await touchCatalog(tx);
      });
    },
  };
}
