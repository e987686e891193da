/**
 * Applies the records of one run's ring to its SQLite file: the only writer of that
 * file while the run is open. The ring's consumer decodes the records; the sink
 * applies them inside a transaction that commits at least every 100 ms (or every
 * 20,000 rows, or when asked). The ring moves on only after a commit, so a failed
 * commit is rolled back and its records are read and applied again.
 */

import { Database } from "bun:sqlite";
import type { RingViews } from "../queue/layout.ts";
import type { OpRecord } from "../queue/op-codec.ts";
import { RingConsumer, type RingRecord } from "../queue/ring-consumer.ts";
import { applyWriterPragmas } from "../storage/schema.ts";
import { nowIso, nowSeconds } from "../values/time.ts";
import { CommitFailures } from "./commit-failures.ts";
import { CommitPacer } from "./commit-pacing.ts";
import { MetricStage } from "./metric-stage.ts";
import { type ConsoleLine, RunRows } from "./run-rows.ts";
import { SeriesIds } from "./series-ids.ts";
import { type ConsoleSnapshot, SinkMonitoring } from "./sink-monitoring.ts";

const COMMIT_INTERVAL_MS = 100;
const COMMIT_ROWS = 20_000;
const HEARTBEAT_INTERVAL_MS = 10_000;
/**
 * How long one sink waits for another process's lock on its file: short, because the
 * one writer Worker serves every run of the process and each keeps its own window
 * (a locked commit is retried: `CommitFailures`).
 */
const BUSY_TIMEOUT_MS = 20;
/** The close waits longer for readers, so that the checkpoint leaves one file. */
const CLOSE_BUSY_TIMEOUT_MS = 2000;

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

  readonly #rows: RunRows;
  readonly #ids: SeriesIds;
  readonly #pacer: CommitPacer;
  readonly #failures: CommitFailures;

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

  constructor(file: string, ring: RingViews, events: SinkEvents, env: SinkEnvironment = {}) {
    this.file = file;
    this.#ring = new RingConsumer(ring);
    this.#events = events;
    this.#env = env;
    const db = new Database(file, { strict: true });
    applyWriterPragmas(db);
    db.run(`PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}`);
    this.#db = db;
    this.#pacer = new CommitPacer((words) => this.#ring.grant(words));
    this.#failures = new CommitFailures(
      file,
      (failure) => this.#ring.setFailure(failure),
      (message) => events.onError(message),
    );
    this.#stage = new MetricStage(db);
    this.#ids = new SeriesIds(db);
    this.#rows = new RunRows(db, this.#ids);
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
    if (this.#failures.abandons(now) && this.#ring.closeRequested) {
      // The close cannot commit: what was committed stays, the rest is given up.
      this.#abandon();
      return false;
    }
    if (now < this.#retryAt) return false;
    const ring = this.#ring;
    const stage = this.#stage;
    try {
      ring.poll();
      let read = 0;
      while (ring.pending && read < budget && !this.#closing) {
        if (this.#txnStart < 0) this.#begin(now);
        const metrics = ring.readMetricRun(stage, budget - read, this.#ids.of);
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
      if (!ring.pending && !ring.producerWaiting) this.#pacer.idle();
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
        this.#rows.meta("heartbeat_at", nowIso());
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
    this.#ids.committed();
    this.#consoleAtCommit = this.#monitoring?.snapshot();
    this.#failures.committed();
    this.#pacer.committed(this.#ring.uncommittedWords);
    this.#ring.commit(this.#flushToken);
    this.#flushToken = undefined;
  }

  #rollback(error: unknown, now: number): void {
    this.#rollbackFile();
    this.#ids.rolledBack();
    if (this.#monitoring && this.#consoleAtCommit) this.#monitoring.restore(this.#consoleAtCommit);
    this.#stage.discard();
    this.#txnStart = -1;
    this.#flushToken = undefined;
    this.#closing = false;
    this.#ring.rewind();
    this.#pacer.idle();
    this.#retryAt = this.#failures.failed(error, now);
  }

  /**
   * Gives up a close that cannot commit (a full disk): the open transaction is rolled
   * back, so the file holds exactly what was committed before, and the run is reported
   * closed (its failure stays set for the producer to report).
   */
  #abandon(): void {
    this.#rollbackFile();
    try {
      this.#db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // no room to checkpoint: the WAL keeps the committed pages, readers still see them
    }
    this.#closeFile();
  }

  #rollbackFile(): void {
    try {
      if (this.#db.inTransaction) this.#db.run("ROLLBACK");
    } catch {
      // the connection already rolled back
    }
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
        this.#rows.appendString(`${monitoring.namespace}/traceback`, reason, this.#seconds());
      }
      this.#rows.markFailed(nowIso());
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
    this.#closeFile();
  }

  /** Closes the file and tells the Worker, then the producer, that the run is closed. */
  #closeFile(): void {
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
        stage.push(this.#ids.of(record.slot), record.step, record.value, record.ts);
        this.#txnRows++;
        return;
      case "metrics": {
        const points = record.points;
        for (let i = 0; i < points.length; i += 3) {
          stage.push(
            this.#ids.of(points[i] as number),
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
        this.#ids.define(op.slot, op.seriesKind, op.path);
        return;
      case "strings":
        this.#rows.strings(op.points, op.ts);
        this.#txnRows += op.points.length;
        return;
      case "configs":
        this.#rows.configs(op.entries, op.updatedAt);
        this.#txnRows += op.entries.length;
        return;
      case "meta":
        this.#rows.meta(op.key, op.value);
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

  #consoleLines(lines: readonly ConsoleLine[], now: number): void {
    if (lines.length === 0) return;
    if (this.#txnStart < 0) this.#begin(now);
    this.#rows.consoleLines(lines, this.#seconds());
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
      this.#rows.hardware(monitoring.namespace, step, entries, this.#seconds());
      this.#txnRows += entries.length;
    } catch (error) {
      this.#rollback(error, now);
    }
  }
}
