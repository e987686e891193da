/**
 * Applies the records of one run's ring to its SQLite file: the only writer of that
 * file while the run is open. The ring's consumer decodes the records; the sink
 * applies them inside a transaction that commits at least every 100 ms (or every
 * 20,000 rows, or when asked). The ring moves on only after a commit, so a failed
 * commit is rolled back and its records are read and applied again.
 */

import { Database, type Statement } from "bun:sqlite";
import { type RingViews, SeriesKind } from "../queue/layout.ts";
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

  constructor(file: string, ring: RingViews, events: SinkEvents, env: SinkEnvironment = {}) {
    this.file = file;
    this.#ring = new RingConsumer(ring);
    this.#events = events;
    this.#env = env;
    const db = new Database(file, { strict: true });
    applyWriterPragmas(db);
    this.#db = db;
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
    if (this.#closed || now < this.#retryAt) return false;
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
      if (this.#monitoring && !this.#closing)
        this.#consoleLines(this.#monitoring.partialLines(now, false), now);
      if (this.#txnStart >= 0) {
        const due =
          this.#closing ||
          this.#flushToken !== undefined ||
          this.#txnRows >= COMMIT_ROWS ||
          now - this.#txnStart >= COMMIT_INTERVAL_MS ||
          ring.producerWaiting;
        if (due) this.#commit();
      }
      if (now - this.#lastHeartbeat >= HEARTBEAT_INTERVAL_MS && !this.#closing) {
        this.#lastHeartbeat = now;
        this.#setMeta.run("heartbeat_at", nowIso());
      }
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
    this.#ring.commit(this.#flushToken);
    this.#flushToken = undefined;
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
    this.#retryAt = now + RETRY_DELAY_MS;
    const message = error instanceof Error ? error.message : String(error);
    this.#events.onError(`writing ${this.file} failed (${message}); retrying`);
  }

  /** Checkpoints the WAL into the file, closes it and tells the producer. */
  #finish(): void {
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
