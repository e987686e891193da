/**
 * Edits a run file as its writer would: a new name (config `sys/name` and run_meta
 * `name`), description (`sys/description`), tags added to or removed from the
 * `sys/tags` string set, and the trash mark. Each edit is one IMMEDIATE transaction
 * that first checks who holds the run: a run a live process of ours is writing keeps
 * its name and tags in that process's memory, so a change here would be overwritten
 * there; such a run is refused (trash, which the writer never touches, still goes
 * through). A run left `running` by a dead process, or written by a client that keeps
 * nothing in memory (the Python one reads the tag row before each change), is edited.
 */

import { Database } from "bun:sqlite";
import { statSync, utimesSync } from "node:fs";
import { checkEdit, type RunEdit, RunEditRefused, touchesConfigs } from "../api/run-edits.ts";
import { judgeRunFile, walModified } from "../run/liveness.ts";
import { applyWriterPragmas } from "../storage/schema.ts";
import { parseStringSet } from "../values/config-value.ts";
import { pythonJsonStringSet } from "../values/python-json.ts";
import { nowIso } from "../values/time.ts";

/** Writes `edit` to the run file `file` (run id `runId`, for messages). */
export function editRunFile(file: string, runId: string, edit: RunEdit): void {
  checkEdit(edit);
  const before = statSync(file);
  const db = new Database(file, { readwrite: true, create: false, strict: true });
  try {
    applyWriterPragmas(db);
    db.transaction(() => {
      const meta = new Map<string, string>();
      for (const row of db
        .query<{ key: string; value: string | null }, []>("SELECT key, value FROM run_meta")
        .all())
        if (row.value !== null) meta.set(row.key, row.value);
      if (touchesConfigs(edit) && meta.get("status") === "running") {
        const verdict = judgeRunFile(db, meta, walModified(file));
        if (verdict.alive)
          throw new RunEditRefused(
            "active",
            `Run '${runId}' is still being written (${verdict.reason}), and that process keeps its name and tags: change them there (run.set("sys/name", …), run.add("sys/tags", …)), or here once the run has finished.`,
          );
      }
      if (edit.trashed === true)
        db.run("INSERT OR REPLACE INTO run_meta (key, value) VALUES ('trashed', 'true')");
      if (edit.trashed === false) db.run("DELETE FROM run_meta WHERE key = 'trashed'");
      writeConfigs(db, edit);
    }).immediate();
  } finally {
    db.close();
  }
  // Trashing alone is no change to the run's data: it must not reorder `/api/projects`.
  if (!touchesConfigs(edit)) utimesSync(file, before.atimeMs / 1000, before.mtimeMs / 1000);
}

/** One config-write call, as `run.set`/`run.add` make it: one `updated_at`, `uploaded` back to 0. */
function writeConfigs(db: Database, edit: RunEdit): void {
  const updatedAt = nowIso();
  const insert = db.query(
    "INSERT OR REPLACE INTO configs (path, type_tag, value, updated_at, uploaded) VALUES (?, ?, ?, ?, 0)",
  );
  if (edit.name !== undefined) {
    insert.run("sys/name", "str", edit.name, updatedAt);
    db.run("INSERT OR REPLACE INTO run_meta (key, value) VALUES ('name', ?)", [edit.name]);
  }
  if (edit.description !== undefined)
    insert.run("sys/description", "str", edit.description, updatedAt);
  const adding = edit.addTags ?? [];
  const removing = edit.removeTags ?? [];
  if (adding.length === 0 && removing.length === 0) return;
  const row = db
    .query<{ type_tag: string; value: string | null }, []>(
      "SELECT type_tag, value FROM configs WHERE path = 'sys/tags'",
    )
    .get();
  if (row && row.type_tag !== "string_set")
    throw new RunEditRefused(
      "invalid",
      `Cannot change the tags: sys/tags holds a config of type '${row.type_tag}', not a string set.`,
    );
  // `.remove` on a missing set does nothing, as in the library.
  if (!row && adding.length === 0) return;
  const tags = row ? parseStringSet(row.value ?? "[]") : new Set<string>();
  for (const tag of adding) tags.add(tag);
  for (const tag of removing) tags.delete(tag);
  insert.run("sys/tags", "string_set", pythonJsonStringSet(tags), updatedAt);
}
