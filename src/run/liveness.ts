/**
 * Whether the process that left a run `running` is still writing it, whichever client
 * wrote it. A writer on this host is judged by its pid (alive, and the same process
 * that recorded itself: it started before the record); a writer elsewhere by our
 * heartbeat; where nothing tells, by the file's own signs of life (the WAL's last
 * write, the newest point). The verdict says what it rests on.
 */

import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { hostname } from "node:os";
import { parseIsoDate } from "../values/time.ts";
import { type ProcessProbe, systemProbe } from "./process-info.ts";

/** A heartbeat, or a write to the file, older than this no longer counts as a sign of life. */
export const HEARTBEAT_STALE_MS = 60_000;
/** How far a process's start time (known to about a second) may be off its record. */
const START_SLACK_MS = 2_000;
const HEARTBEAT = "its heartbeat record";

/** A process that recorded itself as the run's writer. */
export interface WriterRecord {
  readonly host: string;
  readonly pid: number;
  /** When the record was last known to be true (heartbeat, or the config's `updated_at`). */
  readonly recordedAtMs: number | undefined;
  /** The process start time it recorded (ours only). */
  readonly startedAtMs: number | undefined;
  /** Where the record is, in words. */
  readonly source: string;
}

/** When the file was last written: WAL modification time and newest point or config. */
export interface FileSigns {
  readonly walModifiedMs: number | undefined;
  readonly newestWriteMs: number | undefined;
}

export interface WriterEvidence {
  readonly records: readonly WriterRecord[];
  /** Our heartbeat, when the writer was this library. */
  readonly heartbeatMs: number | undefined;
  /** Read only when the records cannot tell (it scans the points). */
  readonly signs: () => FileSigns;
}

export interface WriterVerdict {
  readonly alive: boolean;
  /** Why, in words fit for a message. */
  readonly reason: string;
}

export interface JudgeContext {
  readonly now: number;
  readonly host: string;
  readonly probe: ProcessProbe;
}

function defaultContext(): JudgeContext {
  return { now: Date.now(), host: hostname(), probe: systemProbe };
}

function seconds(ms: number): number {
  return Math.max(0, Math.round(ms / 1000));
}

/** Whether the live process `pid` is the one that wrote `record`, not a later one given the same pid. */
function sameProcess(record: WriterRecord, probe: ProcessProbe): boolean {
  const started = probe.startedAtMs(record.pid);
  if (started === undefined) return true;
  if (record.startedAtMs !== undefined)
    return Math.abs(started - record.startedAtMs) <= START_SLACK_MS;
  return record.recordedAtMs === undefined || started <= record.recordedAtMs + START_SLACK_MS;
}

function describe(record: WriterRecord, host: string): string {
  return `process ${record.pid} on ${record.host === host ? "this host" : record.host} (${record.source})`;
}

export function judgeWriter(
  evidence: WriterEvidence,
  context: JudgeContext = defaultContext(),
): WriterVerdict {
  const { host, probe, now } = context;
  const local = evidence.records.filter((record) => record.host === host);
  for (const record of local) {
    if (probe.alive(record.pid) && sameProcess(record, probe)) {
      return { alive: true, reason: `${describe(record, host)} is still running` };
    }
  }
  const latest = evidence.records.reduce<WriterRecord | undefined>(
    (best, record) =>
      best === undefined || (record.recordedAtMs ?? -1) > (best.recordedAtMs ?? -1) ? record : best,
    undefined,
  );
  if (latest !== undefined && latest.host === host) {
    const gone = probe.alive(latest.pid)
      ? "is gone (its pid now belongs to a later process)"
      : "has exited";
    return { alive: false, reason: `${describe(latest, host)} ${gone}` };
  }
  const ours = evidence.records.find((record) => record.source === HEARTBEAT);
  const oursIsLatest = ours && latest && ours.host === latest.host && ours.pid === latest.pid;
  if (latest !== undefined && oursIsLatest && evidence.heartbeatMs !== undefined) {
    const age = now - evidence.heartbeatMs;
    const who = describe(latest, host);
    return age < HEARTBEAT_STALE_MS
      ? { alive: true, reason: `${who} wrote a heartbeat ${seconds(age)} s ago` }
      : { alive: false, reason: `${who} wrote its last heartbeat ${seconds(age)} s ago` };
  }
  // Nothing names a process we can ask: the file's own signs of life decide.
  const signs = evidence.signs();
  const writer = latest
    ? `its writer, ${describe(latest, host)}, cannot be asked`
    : "no writer process is recorded";
  const newest = Math.max(signs.walModifiedMs ?? -1, signs.newestWriteMs ?? -1);
  if (newest < 0) {
    return { alive: false, reason: `${writer}, and the file holds no dated write` };
  }
  const age = now - newest;
  const what =
    newest === signs.walModifiedMs
      ? "its write-ahead log was written"
      : "its newest point or config was written";
  return age < HEARTBEAT_STALE_MS
    ? { alive: true, reason: `${writer}, and ${what} ${seconds(age)} s ago` }
    : { alive: false, reason: `${writer}, and ${what} ${seconds(age)} s ago` };
}

function isoMs(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseIsoDate(text)?.getTime();
}

/** The writers a run file records: ours in run_meta, and every monitoring namespace's hostname and pid. */
export function writerRecords(db: Database, meta: ReadonlyMap<string, string>): WriterRecord[] {
  const records: WriterRecord[] = [];
  const host = meta.get("writer_host");
  const pid = Number(meta.get("writer_pid"));
  if (host !== undefined && Number.isInteger(pid) && pid > 0) {
    records.push({
      host,
      pid,
      recordedAtMs: isoMs(meta.get("heartbeat_at")),
      startedAtMs: isoMs(meta.get("writer_started_at")),
      source: HEARTBEAT,
    });
  }
  // Both clients record `<namespace>/hostname` (str) and `<namespace>/pid` (int), FORMAT.md §8.
  const rows = db
    .query<{ path: string; type_tag: string; value: string | null; updated_at: string }, []>(
      "SELECT path, type_tag, value, updated_at FROM configs WHERE path LIKE '%/hostname' OR path LIKE '%/pid'",
    )
    .all();
  const hosts = new Map<string, string>();
  for (const row of rows) {
    if (row.path.endsWith("/hostname") && row.type_tag === "str" && row.value !== null)
      hosts.set(row.path.slice(0, -"/hostname".length), row.value);
  }
  for (const row of rows) {
    if (!row.path.endsWith("/pid") || row.type_tag !== "int") continue;
    const namespace = row.path.slice(0, -"/pid".length);
    const recordedHost = hosts.get(namespace);
    const recordedPid = Number(row.value);
    if (recordedHost === undefined || !Number.isInteger(recordedPid) || recordedPid <= 0) continue;
    records.push({
      host: recordedHost,
      pid: recordedPid,
      recordedAtMs: isoMs(row.updated_at),
      startedAtMs: undefined,
      source: `recorded in ${row.path}`,
    });
  }
  return records;
}

/** The file's own signs of life; `walModifiedMs` is taken before anyone opens the file. */
export function fileSigns(db: Database, walModifiedMs: number | undefined): FileSigns {
  const row = db
    .query<{ points: number | null; configs: string | null }, []>(
      `SELECT max(coalesce((SELECT max(ts) FROM metric_points), -1),
                  coalesce((SELECT max(ts) FROM string_points), -1)) AS points,
              (SELECT max(updated_at) FROM configs) AS configs`,
    )
    .get();
  const points = typeof row?.points === "number" && row.points >= 0 ? row.points * 1000 : undefined;
  const configs = isoMs(row?.configs ?? undefined);
  const newest = Math.max(points ?? -1, configs ?? -1);
  return { walModifiedMs, newestWriteMs: newest < 0 ? undefined : newest };
}

/** When the run's WAL was last written, if it has one with frames in it. */
export function walModified(file: string): number | undefined {
  try {
    const stat = statSync(`${file}-wal`);
    return stat.size > 0 ? stat.mtimeMs : undefined;
  } catch {
    return undefined;
  }
}

/** The verdict on an open run file, from everything it records. */
export function judgeRunFile(
  db: Database,
  meta: ReadonlyMap<string, string>,
  walModifiedMs: number | undefined,
): WriterVerdict {
  return judgeWriter({
    records: writerRecords(db, meta),
    heartbeatMs: isoMs(meta.get("heartbeat_at")),
    signs: () => fileSigns(db, walModifiedMs),
  });
}

/**
 * When the run's writer last showed life: the newest of its heartbeat, its records'
 * dates, the WAL's last write and the newest point or config. Undefined when nothing
 * is dated.
 */
export function lastSignOfLife(
  db: Database,
  meta: ReadonlyMap<string, string>,
  walModifiedMs: number | undefined,
): number | undefined {
  const signs = fileSigns(db, walModifiedMs);
  const dates = [
    isoMs(meta.get("heartbeat_at")),
    signs.walModifiedMs,
    signs.newestWriteMs,
    ...writerRecords(db, meta).map((record) => record.recordedAtMs),
  ].filter((ms): ms is number => ms !== undefined && Number.isFinite(ms));
  return dates.length === 0 ? undefined : Math.max(...dates);
}
