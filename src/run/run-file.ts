/**
 * Creating, resuming and opening run files on the main thread, before the writer
 * Worker takes over: so that an existing id, a missing run or a live writer throws
 * from the constructor.
 */

import { Database } from "bun:sqlite";
import { closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { InvalidOptionError, RunActiveError, RunExistsError, RunNotFoundError } from "../errors.ts";
import { runFile } from "../settings/home-layout.ts";
import { RunReader } from "../storage/run-reader.ts";
import { applyWriterPragmas, ensureSchema } from "../storage/schema.ts";
import { parseStringSet } from "../values/config-value.ts";
import type { ConfigEntry } from "../values/flatten.ts";
import { pythonJsonStringSet } from "../values/python-json.ts";
import { nowIso } from "../values/time.ts";
import { judgeWriter } from "./liveness.ts";
import type { Logger } from "./options.ts";
import { runIdCandidates } from "./run-id.ts";

/** What the Run keeps of the file's contents to validate later writes without reading. */
export interface RunFileState {
  readonly file: string;
  readonly runId: string;
  readonly name: string | undefined;
  /** Type tag of every config path. */
  readonly configTags: Map<string, string>;
  /** Members of every `string_set` config. */
  readonly stringSets: Map<string, Set<string>>;
  /** Per series path, the next auto-step. */
  readonly nextSteps: Map<string, number>;
}

export interface NewRunSpec {
  readonly dir: string;
  /** Explicit id (option or GOODSEED_RUN_ID); `undefined` = generate one. */
  readonly runId: string | undefined;
  readonly project: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly tags: readonly string[] | undefined;
  /** Config calls written after the sys/ ones, each with its own `updated_at` (git, monitoring statics). */
  readonly configCalls: readonly ConfigEntry[][];
}

/** run_meta keys of ours that tell who is writing the run (readers of the format ignore them). */
function writerMeta(): [string, string][] {
  return [
    ["writer_host", hostname()],
    ["writer_pid", String(process.pid)],
    ["heartbeat_at", nowIso()],
  ];
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function openWriter(file: string): Database {
  const db = new Database(file, { strict: true });
  applyWriterPragmas(db);
  return db;
}

/** Creates the file exclusively, so two processes can never take the same run id. */
function createExclusive(file: string): boolean {
  try {
    closeSync(openSync(file, "wx"));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function claimId(spec: NewRunSpec): { runId: string; file: string } {
  mkdirSync(spec.dir, { recursive: true });
  if (spec.runId !== undefined) {
    const file = runFile(spec.dir, spec.runId);
    if (!createExclusive(file)) throw new RunExistsError(spec.runId, file);
    return { runId: spec.runId, file };
  }
  for (const candidate of runIdCandidates()) {
    const file = runFile(spec.dir, candidate);
    if (createExclusive(file)) return { runId: candidate, file };
  }
  throw new InvalidOptionError(
    `Could not find a free run id in ${spec.dir}; pass runId explicitly.`,
  );
}

function insertConfigs(db: Database, entries: readonly ConfigEntry[]): void {
  const updatedAt = nowIso();
  const insert = db.query(
    "INSERT OR REPLACE INTO configs (path, type_tag, value, updated_at, uploaded) VALUES (?, ?, ?, ?, 0)",
  );
  for (const entry of entries) insert.run(entry.path, entry.tag, entry.text, updatedAt);
}

export function createRunFile(spec: NewRunSpec): RunFileState {
  const { runId, file } = claimId(spec);
  const db = openWriter(file);
  try {
    ensureSchema(db);
    const createdAt = nowIso();
    db.transaction(() => {
      const setMeta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
      setMeta.run("run_id", runId);
      setMeta.run("project", spec.project);
      setMeta.run("created_at", createdAt);
      setMeta.run("status", "running");
      if (spec.name) setMeta.run("name", spec.name);
      for (const [key, value] of writerMeta()) setMeta.run(key, value);
      const sys: ConfigEntry[] = [
        { path: "sys/id", tag: "str", text: runId },
        { path: "sys/creation_time", tag: "str", text: nowIso() },
        { path: "sys/state", tag: "str", text: "running" },
      ];
      if (spec.name) sys.push({ path: "sys/name", tag: "str", text: spec.name });
      if (spec.description)
        sys.push({ path: "sys/description", tag: "str", text: spec.description });
      if (spec.tags && spec.tags.length > 0) {
        sys.push({ path: "sys/tags", tag: "string_set", text: pythonJsonStringSet(spec.tags) });
      }
      insertConfigs(db, sys);
      for (const call of spec.configCalls) if (call.length > 0) insertConfigs(db, call);
    })();
  } finally {
    db.close();
  }
  return readState(file, runId, spec.name);
}

export interface ResumeSpec {
  readonly dir: string;
  readonly runId: string;
  readonly logger: Logger;
}

export function resumeRunFile(spec: ResumeSpec): RunFileState {
  const file = runFile(spec.dir, spec.runId);
  if (!isFile(file)) throw new RunNotFoundError(spec.runId, file);
  const db = openWriter(file);
  try {
    // One IMMEDIATE transaction: it waits for a live writer's lock (busy_timeout) instead of
    // failing to upgrade a read, and two processes resuming at once cannot both win.
    db.transaction(() => {
      ensureSchema(db);
      const meta = new Map<string, string>();
      for (const row of db
        .query<{ key: string; value: string | null }, []>("SELECT key, value FROM run_meta")
        .all()) {
        if (row.value !== null) meta.set(row.key, row.value);
      }
      if (meta.get("status") === "running") {
        const verdict = judgeWriter(meta);
        if (verdict.alive) throw new RunActiveError(spec.runId, verdict.reason);
        spec.logger.warn(
          `Run '${spec.runId}' was left running (${verdict.reason}); resuming it. Points it logged in its last second may be missing.`,
        );
      }
      const setMeta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
      setMeta.run("status", "running");
      db.run("DELETE FROM run_meta WHERE key = 'closed_at'");
      for (const [key, value] of writerMeta()) setMeta.run(key, value);
      insertConfigs(db, [{ path: "sys/state", tag: "str", text: "running" }]);
    }).immediate();
  } finally {
    db.close();
  }
  return readState(file, spec.runId, undefined);
}

function readState(file: string, runId: string, name: string | undefined): RunFileState {
  const reader = new RunReader(file, { readonly: false });
  try {
    const configTags = new Map<string, string>();
    const stringSets = new Map<string, Set<string>>();
    for (const row of reader.configRows()) {
      configTags.set(row.path, row.typeTag);
      if (row.typeTag === "string_set") stringSets.set(row.path, parseStringSet(row.text ?? "[]"));
    }
    const meta = reader.meta();
    return {
      file,
      runId,
      name: name ?? meta.get("name") ?? meta.get("experiment_name"),
      configTags,
      stringSets,
      nextSteps: reader.nextSteps(),
    };
  } finally {
    reader.close();
  }
}

/** Opens an existing run for reading only; never writes to it. */
export function openReadOnly(dir: string, runId: string): { file: string; reader: RunReader } {
  const file = runFile(dir, runId);
  if (!isFile(file)) throw new RunNotFoundError(runId, file);
  return { file, reader: new RunReader(file, { readonly: true }) };
}
