/**
 * Applies the records of one run's ring to its SQLite file: the only writer of that
 * file while the run is open. The ring's consumer decodes the records; the sink
 * applies them inside a transaction that commits at least every 100 ms (or every
 * 20,000 rows, or when asked). The ring moves on only after a commit, so a failed
 * commit is rolled back and its records are read and applied again.
 */

import { Database, type Statement } from "bun:sqlite";
import { Failure, FIRST_LIMIT_WORDS, type RingViews, SeriesKind } from "../queue/layout.ts";
import type { OpRecord } from "../queue/op-codec.ts";
import { RingConsumer, type RingRecord } from "../queue/ring-consumer.ts";
import { applyWriterPragmas } from "../storage/schema.ts";
import { nowIso, nowSeconds } from "../values/time.ts";
import { MetricStage } from "./metric-stage.ts";
import { type ConsoleSnapshot, SinkMonitoring } from "./sink-monitoring.ts";

const COMMIT_INTERVAL_MS = 100;
const COMMIT_ROWS = 20_000;
const HEARTBEAT_INTERVAL_MS = 10_000;
const RETRY_DELAY_MS = 500;
/**
 * The promise to the caller: a point `run.log` accepted is committed within this long.
 * The ring may hold only what this sink commits in a share of it, at its measured rate.
 */
const COMMIT_WINDOW_MS = 1000;
const QUEUE_SHARE_OF_WINDOW = 0.4;
/** Time constants of the commit rate's moving average, for a falling and a rising rate. */
const RATE_HORIZON_DOWN_MS = 300;
const RATE_HORIZON_UP_MS = 1000;
/** The least room granted to the producer, in words. */
const MIN_LIMIT_WORDS = 3 * 8192;
const FIRST_RATE_WORDS_PER_MS = FIRST_LIMIT_WORDS / (COMMIT_WINDOW_MS * QUEUE_SHARE_OF_WINDOW);
/**
 * How long one sink waits for another process's lock on its file: short, because the
 * one writer Worker serves every run of the process and each keeps its own window. A
 * locked file is retried soon, and reported only once the lock has lasted a while.
 */
const BUSY_TIMEOUT_MS = 20;
const BUSY_RETRY_MS = 100;
const BUSY_REPORT_AFTER_MS = 5000;
/** The close waits longer for readers, so that the checkpoint leaves one file. */
const CLOSE_BUSY_TIMEOUT_MS = 2000;

function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_");
}

/** The Failure a commit error stands for, when retrying will not cure it soon. */
function persistentFailure(error: unknown): number {
  const code = sqliteCode(error);
  if (code === "SQLITE_FULL" || code === "ENOSPC") return Failure.DISK_FULL;
  if (
    code.startsWith("SQLITE_IOERR") ||
    code.startsWith("SQLITE_READONLY") ||
    code === "SQLITE_CANTOPEN"
  )
    return Failure.UNWRITABLE;
  return Failure.NONE;
}

/** A close waits this long for a persistent failure to clear before it gives up the last commit. */
const ABANDON_AFTER_MS = 1_000;
/** A failure that keeps recurring is reported again after this long. */
const REPORT_AGAIN_MS = 30_000;

export interface SinkEvents {
  /** A commit failed; it is retried after a pause. */
  onError(message: string): void;
  /** The run is about to report itself closed (the last moment the Worker can tidy up for it). */
  onFinish?(): void;
}

/** Faults and a clock injected by tests; the defaults are the real ones. */
export interface SinkEnvironment {
  /** Runs just before each COMMIT; a throw makes that commit fail. @default none */
  beforeCommit?(): void;
  /** Whole seconds since the epoch, the `ts` of console lines and hardware samples. @default nowSeconds */
  seconds?(): number;
}

export class RunSink {
  readonly file: string;
  readonly #db: Database;
  readonly #ring: RingConsumer;
  readonly #events: SinkEvents;
  readonly #env: SinkEnvironment;
  readonly #stage: MetricStage;

  readonly #insertString: Statement;
  readonly #insertMetric: Statement;
  readonly #insertConfig: Statement;
  readonly #setMeta: Statement;
  readonly #deleteMeta: Statement;
  readonly #define: Record<number, Statement>;
  readonly #idOf: Record<number, Statement<{ id: number }, [string]>>;

  /** Per slot: the series path, its kind, and its id once resolved in the file (0 = not yet). */
  readonly #slotPaths: string[] = [];
  readonly #slotKinds: number[] = [];
  readonly #slotIds: number[] = [];
  /** Slots resolved inside the open transaction: forgotten again if it rolls back. */
  #resolvedInTxn: number[] = [];
  /** Series ids of paths the Worker logs itself (console lines, hardware), by kind and path. */
  readonly #pathIds = new Map<string, number>();
  readonly #seriesOf = (slot: number): number => this.#seriesId(slot);

  #txnStart = -1;
  #txnRows = 0;
  #flushToken: number | undefined;
  #closing = false;
  #closed = false;
  #retryAt = 0;
  #lastHeartbeat = 0;
  #monitoring: SinkMonitoring | undefined;
  #consoleAtCommit: ConsoleSnapshot | undefined;
  /** Ending on a signal: every pump commits what it read. */
  #interrupting = false;
  /** Commit rate while saturated (words per ms), and whether the ring stayed non-empty since the last commit. */
  #rateWordsPerMs = FIRST_RATE_WORDS_PER_MS;
  #lastCommitAt = -1;
  #saturated = false;
  /** When the file was first found locked by another process, in this spell of failures. */
  #busySince: number | undefined;
  #busyReportedAt = 0;
  /** Since when commits fail with a persistent failure (a full disk), and when it was last reported. */
  #failingSince: number | undefined;
  #failureReportedAt = Number.NEGATIVE_INFINITY;

  constructor(file: string, ring: RingViews, events: SinkEvents, env: SinkEnvironment = {}) {
    this.file = file;
    this.#ring = new RingConsumer(ring);
    this.#events = events;
    this.#env = env;
    const db = new Database(file, { strict: true });
    applyWriterPragmas(db);
    db.run(`PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}`);
    this.#db = db;
    this.#publishLimit();
    this.#stage = new MetricStage(db);
    this.#insertMetric = db.query(
      "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#insertString = db.query(
      "INSERT OR REPLACE INTO string_points (series_id, step, value, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#insertConfig = db.query(
      "INSERT OR REPLACE INTO configs (path, type_tag, value, updated_at, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#setMeta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
    this.#deleteMeta = db.query("DELETE FROM run_meta WHERE key = ?");
    this.#define = {
      [SeriesKind.METRIC]: db.query("INSERT OR IGNORE INTO metric_series (path) VALUES (?)"),
      [SeriesKind.STRING]: db.query("INSERT OR IGNORE INTO string_series (path) VALUES (?)"),
    };
    this.#idOf = {
      [SeriesKind.METRIC]: db.query("SELECT id FROM metric_series WHERE path = ?"),
      [SeriesKind.STRING]: db.query("SELECT id FROM string_series WHERE path = ?"),
    };
  }

  #seconds(): number {
    return this.#env.seconds?.() ?? nowSeconds();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Applies up to `budget` records and commits when due. Returns true while records
   * remain to be read (the caller should come back at once).
   */
  pump(budget: number, now: number): boolean {
    if (this.#closed) return false;
    if (this.#failingSince !== undefined && this.#ring.closeRequested) {
      // The close cannot commit: what was committed stays, the rest is given up.
      if (now - this.#failingSince >= ABANDON_AFTER_MS) {
        this.#abandon();
        return false;
      }
    }
    if (now < this.#retryAt) return false;
    const ring = this.#ring;
    const stage = this.#stage;
    try {
      ring.poll();
      let read = 0;
      while (ring.pending && read < budget && !this.#closing) {
        if (this.#txnStart < 0) this.#begin(now);
        const metrics = ring.readMetricRun(stage, budget - read, this.#seriesOf);
        if (metrics > 0) {
          read += metrics;
          this.#txnRows += metrics;
          if (stage.count === stage.series.length) stage.flush();
          continue;
        }
        const record = ring.next();
        if (record === undefined) break;
        this.#apply(record, now);
        read++;
      }
      // Saturated: records were left for the next round, or the producer is waiting for room.
      if (!ring.pending && !ring.producerWaiting) this.#saturated = false;
      if (this.#monitoring && !this.#closing)
        this.#consoleLines(this.#monitoring.partialLines(now, false), now);
      if (this.#txnStart >= 0) {
        const due =
          this.#closing ||
          this.#flushToken !== undefined ||
          this.#interrupting ||
          this.#txnRows >= COMMIT_ROWS ||
          now - this.#txnStart >= COMMIT_INTERVAL_MS ||
          ring.producerWaiting;
        if (due) this.#commit();
      }
      if (now - this.#lastHeartbeat >= HEARTBEAT_INTERVAL_MS && !this.#closing) {
        this.#lastHeartbeat = now;
        this.#setMeta.run("heartbeat_at", nowIso());
      }
      // A close requested without its CLOSE record (it could not be queued): all is committed.
      if (!this.#closing && ring.closeRequested && ring.drained && this.#txnStart < 0)
        this.#closing = true;
      if (this.#closing) this.#finish();
      return !this.#closed && ring.poll();
    } catch (error) {
      this.#rollback(error, now);
      return false;
    }
  }

  #begin(now: number): void {
    this.#db.run("BEGIN");
    this.#txnStart = now;
    this.#txnRows = 0;
  }

  #commit(): void {
    this.#stage.flush();
    this.#env.beforeCommit?.();
    this.#db.run("COMMIT");
    this.#txnStart = -1;
    this.#resolvedInTxn = [];
    this.#consoleAtCommit = this.#monitoring?.snapshot();
    this.#busySince = undefined;
    if (this.#failingSince !== undefined) {
      this.#failingSince = undefined;
      this.#failureReportedAt = Number.NEGATIVE_INFINITY;
      this.#ring.setFailure(Failure.NONE);
    }
    this.#measure(this.#ring.uncommittedWords);
    this.#ring.commit(this.#flushToken);
    this.#flushToken = undefined;
  }

  /**
   * Updates the commit rate from a commit that ends a saturated stretch, and grants the
   * producer the room that this rate commits within its share of the window.
   */
  #measure(words: number): void {
    const at = performance.now();
    if (this.#saturated && this.#lastCommitAt >= 0 && words > 0) {
      const elapsed = Math.max(at - this.#lastCommitAt, 0.001);
      const sample = words / elapsed;
      // Weighted by the time each sample covers (a stall counts for its whole length), and
      // a slowdown believed sooner than a speedup: the window is the promise.
      const horizon = sample < this.#rateWordsPerMs ? RATE_HORIZON_DOWN_MS : RATE_HORIZON_UP_MS;
      const weight = 1 - Math.exp(-elapsed / horizon);
      this.#rateWordsPerMs += weight * (sample - this.#rateWordsPerMs);
      this.#publishLimit();
    }
    this.#lastCommitAt = at;
    this.#saturated = true;
  }

  #publishLimit(): void {
    const words = this.#rateWordsPerMs * COMMIT_WINDOW_MS * QUEUE_SHARE_OF_WINDOW;
    this.#ring.grant(Math.max(MIN_LIMIT_WORDS, words));
  }

  #rollback(error: unknown, now: number): void {
    try {
      if (this.#db.inTransaction) this.#db.run("ROLLBACK");
    } catch {
      // the connection already rolled back
    }
    for (const slot of this.#resolvedInTxn) this.#slotIds[slot] = 0;
    this.#resolvedInTxn = [];
    this.#pathIds.clear();
    if (this.#monitoring && this.#consoleAtCommit) this.#monitoring.restore(this.#consoleAtCommit);
    this.#stage.discard();
    this.#txnStart = -1;
    this.#flushToken = undefined;
    this.#closing = false;
    this.#ring.rewind();
    this.#saturated = false;
    if (isBusy(error)) {
      this.#retryAt = now + BUSY_RETRY_MS;
      this.#busySince ??= now;
      const lockedMs = now - this.#busySince;
      if (lockedMs >= BUSY_REPORT_AFTER_MS && now - this.#busyReportedAt >= 30_000) {
        this.#busyReportedAt = now;
        this.#events.onError(
          `${this.file} has been locked by another process for ${Math.round(lockedMs / 1000)} s; its points wait in memory and are written once the lock is released`,
        );
      }
      return;
    }
    this.#retryAt = now + RETRY_DELAY_MS;
    const message = error instanceof Error ? error.message : String(error);
    const failure = persistentFailure(error);
    if (failure !== Failure.NONE) {
      this.#failingSince ??= now;
      this.#ring.setFailure(failure);
      if (now - this.#failureReportedAt < REPORT_AGAIN_MS) return;
      this.#failureReportedAt = now;
    }
    this.#events.onError(`writing ${this.file} failed (${message}); retrying`);
  }

  /**
   * Gives up a close that cannot commit (a full disk): the open transaction is rolled
   * back, so the file holds exactly what was committed before, and the run is reported
   * closed (its failure stays set for the producer to report).
   */
  #abandon(): void {
    try {
      if (this.#db.inTransaction) this.#db.run("ROLLBACK");
    } catch {
      // rolled back already
    }
    try {
      this.#db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // no room to checkpoint: the WAL keeps the committed pages, readers still see them
    }
    this.#db.close();
    this.#closed = true;
    this.#events.onFinish?.();
    this.#ring.markClosed();
  }

  /**
   * Ends the run from this side, for a signal the main thread cannot take: commits
   * every record published so far, then marks the run `failed` with `reason` as its
   * traceback, and closes the file as `close()` would.
   */
  interrupt(reason: string): void {
    if (this.#closed) return;
    // A commit that keeps failing (a locked file, a full disk) must not hold the signal.
    for (let round = 0; round < 3 && !this.#closed; round++) {
      this.#retryAt = 0;
      this.#interrupting = true;
      this.pump(Number.MAX_SAFE_INTEGER, performance.now());
      if (!this.#ring.poll() && this.#txnStart < 0) break;
    }
    if (this.#closed) return;
    const now = performance.now();
    try {
      this.#begin(now);
      const monitoring = this.#monitoring;
      if (monitoring) this.#consoleLines(monitoring.partialLines(now, true), now);
      if (monitoring?.traceback) {
        const id = this.#pathId(SeriesKind.STRING, `${monitoring.namespace}/traceback`);
        const row = this.#db
          .query<{ next: number }, [number]>(
            "SELECT coalesce(max(step) + 1, 0) AS next FROM string_points WHERE series_id = ?",
          )
          .get(id);
        this.#insertString.run(id, row?.next ?? 0, reason, this.#seconds());
      }
      const closedAt = nowIso();
      this.#setMeta.run("status", "failed");
      this.#setMeta.run("closed_at", closedAt);
      this.#insertConfig.run("sys/state", "str", "failed", closedAt);
      this.#insertConfig.run("sys/closed_time", "str", closedAt, closedAt);
      this.#db.run("COMMIT");
      this.#txnStart = -1;
    } catch (error) {
      this.#rollback(error, now);
    }
    this.#finish();
  }

  /** Checkpoints the WAL into the file, closes it and tells the producer. */
  #finish(): void {
    this.#db.run(`PRAGMA busy_timeout=${CLOSE_BUSY_TIMEOUT_MS}`);
    this.#db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    this.#db.close();
    this.#closed = true;
    this.#events.onFinish?.();
    this.#ring.markClosed();
  }

  /** Applies one decoded record (other than a run of single metric points). */
  #apply(record: RingRecord, now: number): void {
    const stage = this.#stage;
    switch (record.kind) {
      case "metric":
        stage.push(this.#seriesId(record.slot), record.step, record.value, record.ts);
        this.#txnRows++;
        return;
      case "metrics": {
        const points = record.points;
        for (let i = 0; i < points.length; i += 3) {
          stage.push(
            this.#seriesId(points[i] as number),
            points[i + 1] as number,
            points[i + 2] as number,
            record.ts,
          );
        }
        this.#txnRows += points.length / 3;
        return;
      }
      case "flush":
        this.#flushToken = record.token;
        return;
      default:
        stage.flush();
        this.#applyOp(record, now);
    }
  }

  #applyOp(op: OpRecord, now: number): void {
    switch (op.kind) {
      case "define":
        this.#slotKinds[op.slot] = op.seriesKind;
        this.#slotPaths[op.slot] = op.path;
        this.#slotIds[op.slot] ??= 0;
        return;
      case "strings":
        for (const point of op.points)
          this.#insertString.run(this.#seriesId(point.slot), point.step, point.value, op.ts);
        this.#txnRows += op.points.length;
        return;
      case "configs":
        for (const entry of op.entries)
          this.#insertConfig.run(entry.path, entry.tag, entry.text, op.updatedAt);
        this.#txnRows += op.entries.length;
        return;
      case "meta":
        if (op.value !== undefined) this.#setMeta.run(op.key, op.value);
        else this.#deleteMeta.run(op.key);
        return;
      case "close":
        if (this.#monitoring) this.#consoleLines(this.#monitoring.partialLines(now, true), now);
        this.#closing = true;
        return;
      case "console":
        if (this.#monitoring)
          this.#consoleLines(this.#monitoring.consoleText(op.stream, op.text, now), now);
        return;
      case "monitor":
        this.#monitoring = new SinkMonitoring(op);
        this.#consoleAtCommit = this.#monitoring.snapshot();
        return;
    }
  }

  #consoleLines(lines: readonly { path: string; step: number; line: string }[], now: number): void {
    if (lines.length === 0) return;
    if (this.#txnStart < 0) this.#begin(now);
    const ts = this.#seconds();
    for (const { path, step, line } of lines) {
      this.#insertString.run(this.#pathId(SeriesKind.STRING, path), step, line, ts);
    }
    this.#txnRows += lines.length;
  }

  /** Whether this run wants hardware samples, and how often. */
  get hardwareInterval(): number | undefined {
    const monitoring = this.#monitoring;
    return monitoring?.hardware && !this.#closing && !this.#closed
      ? monitoring.intervalMs
      : undefined;
  }

  /** How long this run lets a GPU tool take before it is killed. */
  get gpuTimeout(): number | undefined {
    return this.#monitoring?.gpuTimeoutMs;
  }

  /** Takes the step number of a new hardware sample. */
  nextHardwareStep(): number {
    return (this.#monitoring as SinkMonitoring).nextHardwareStep();
  }

  /** Logs hardware metrics (`cpu`, `memory`, `gpu`, …) of sample `step` under the monitoring namespace. */
  logHardware(step: number, metrics: Readonly<Record<string, number>>, now: number): void {
    const monitoring = this.#monitoring;
    if (!monitoring?.hardware || this.#closing || this.#closed) return;
    const entries = Object.entries(metrics);
    if (entries.length === 0) return;
    try {
      if (this.#txnStart < 0) this.#begin(now);
      const ts = this.#seconds();
      for (const [key, value] of entries) {
        const id = this.#pathId(SeriesKind.METRIC, `${monitoring.namespace}/${key}`);
        this.#insertMetric.run(id, step, Number.isNaN(value) ? "NaN" : value, ts);
      }
      this.#txnRows += entries.length;
    } catch (error) {
      this.#rollback(error, now);
    }
  }

  /**
   * The id of a series, created when missing. It looks first: an INSERT OR IGNORE of
   * an existing path still advances the table's AUTOINCREMENT counter, so every
   * re-resolve (after a rollback, or when a run is resumed) would skip an id.
   */
  #resolve(kind: number, path: string): number {
    const idOf = this.#idOf[kind] as Statement<{ id: number }, [string]>;
    const known = idOf.get(path);
    if (known) return known.id;
    (this.#define[kind] as Statement).run(path);
    const row = idOf.get(path);
    if (!row) throw new Error(`series '${path}' vanished after it was created`);
    return row.id;
  }

  #pathId(kind: number, path: string): number {
    const key = `${kind}:${path}`;
    let id = this.#pathIds.get(key);
    if (id === undefined) {
      id = this.#resolve(kind, path);
      this.#pathIds.set(key, id);
    }
    return id;
  }

  #seriesId(slot: number): number {
    const known = this.#slotIds[slot];
    if (known) return known;
    const path = this.#slotPaths[slot];
    if (path === undefined) throw new Error(`queue names series slot ${slot} before defining it`);
    const id = this.#resolve(this.#slotKinds[slot] as number, path);
    this.#slotIds[slot] = id;
    this.#resolvedInTxn.push(slot);
    return id;
  }
}
