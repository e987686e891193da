/**
 * Applies the records of one run's ring to its SQLite file: the only writer of that
 * file while the run is open. Records are applied inside a transaction that commits
 * at least every 100 ms (or every 20,000 rows, or when asked); the ring's TAIL moves
 * only after a commit, so a failed commit is rolled back and replayed from the ring.
 */

import { Database, type Statement } from "bun:sqlite";
import { ByteReader } from "../queue/bytes.ts";
import { Ctrl, Kind, Op, type RingViews, RunState, SeriesKind } from "../queue/layout.ts";
import { applyWriterPragmas } from "../storage/schema.ts";
import { nowIso } from "../values/time.ts";
import { MetricStage, STAGE } from "./metric-stage.ts";
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

function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export class RunSink {
  readonly file: string;
  readonly #db: Database;
  readonly #ring: RingViews;
  readonly #events: SinkEvents;
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

  /** Next word to read; TAIL (in the ring) is where reading restarts after a rollback. */
  #pos: number;
  #txnStart = -1;
  #txnRows = 0;
  #flushToken: number | undefined;
  #closing = false;
  #closed = false;
  #chunks: Uint8Array[] = [];
  #chunksAtCommit = 0;
  #retryAt = 0;
  #lastHeartbeat = 0;
  #monitoring: SinkMonitoring | undefined;
  #consoleAtCommit: ConsoleSnapshot | undefined;

  constructor(file: string, ring: RingViews, events: SinkEvents) {
    this.file = file;
    this.#ring = ring;
    this.#events = events;
    this.#pos = Atomics.load(ring.ctrl, Ctrl.TAIL);
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

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Applies up to `budget` records and commits when due. Returns true while records
   * remain to be read (the caller should come back at once).
   */
  pump(budget: number, now: number): boolean {
    if (this.#closed || now < this.#retryAt) return false;
    const ctrl = this.#ring.ctrl;
    try {
      const head = Atomics.load(ctrl, Ctrl.HEAD);
      let read = 0;
      while (this.#pos !== head && read < budget && !this.#closing) {
        if (this.#txnStart < 0) this.#begin(now);
        const metrics = this.#applyMetricRun(head, budget - read);
        if (metrics > 0) {
          read += metrics;
        } else {
          this.#apply();
          read++;
        }
      }
      if (this.#monitoring && !this.#closing)
        this.#consoleLines(this.#monitoring.partialLines(now, false), now);
      if (this.#txnStart >= 0) {
        const due =
          this.#closing ||
          this.#flushToken !== undefined ||
          this.#txnRows >= COMMIT_ROWS ||
          now - this.#txnStart >= COMMIT_INTERVAL_MS ||
          Atomics.load(ctrl, Ctrl.WAITING) === 1;
        if (due) this.#commit();
      }
      if (now - this.#lastHeartbeat >= HEARTBEAT_INTERVAL_MS && !this.#closing) {
        this.#lastHeartbeat = now;
        this.#setMeta.run("heartbeat_at", nowIso());
      }
      if (this.#closing) this.#finish();
      return !this.#closed && this.#pos !== Atomics.load(ctrl, Ctrl.HEAD);
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
    this.#db.run("COMMIT");
    this.#txnStart = -1;
    this.#resolvedInTxn = [];
    this.#chunksAtCommit = this.#chunks.length;
    this.#consoleAtCommit = this.#monitoring?.snapshot();
    const ctrl = this.#ring.ctrl;
    Atomics.store(ctrl, Ctrl.TAIL, this.#pos);
    Atomics.notify(ctrl, Ctrl.TAIL);
    if (this.#flushToken !== undefined) {
      Atomics.store(ctrl, Ctrl.FLUSHED, this.#flushToken);
      Atomics.notify(ctrl, Ctrl.FLUSHED);
      this.#flushToken = undefined;
    }
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
    this.#chunks.length = this.#chunksAtCommit;
    this.#stage.discard();
    this.#txnStart = -1;
    this.#flushToken = undefined;
    this.#closing = false;
    this.#pos = Atomics.load(this.#ring.ctrl, Ctrl.TAIL);
    this.#retryAt = now + RETRY_DELAY_MS;
    Atomics.add(this.#ring.ctrl, Ctrl.ERRORS, 1);
    const message = error instanceof Error ? error.message : String(error);
    this.#events.onError(`writing ${this.file} failed (${message}); retrying`);
  }

  /** Checkpoints the WAL into the file, closes it and tells the producer. */
  #finish(): void {
    this.#db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    this.#db.close();
    this.#closed = true;
    this.#events.onFinish?.();
    const ctrl = this.#ring.ctrl;
    Atomics.store(ctrl, Ctrl.STATE, RunState.CLOSED);
    Atomics.notify(ctrl, Ctrl.STATE);
  }

  /**
   * The hot loop: applies consecutive single-point METRIC records from the read
   * position (at most `limit`, stopping before `head` or any other kind) and returns
   * how many it applied.
   */
  #applyMetricRun(head: number, limit: number): number {
    const { f64, i32, words } = this.#ring;
    const stage = this.#stage;
    const { series, steps, ys, ts } = stage;
    let pos = this.#pos;
    let applied = 0;
    let lastSlot = -1;
    let lastId = 0;
    let count = stage.count;
    while (pos !== head && applied < limit) {
      const a = i32[2 * pos] as number;
      if ((a & 0xff) !== Kind.METRIC) break;
      const slot = a >>> 8;
      if (slot !== lastSlot) {
        lastId = this.#seriesId(slot);
        if (count > 0 && series[count - 1] !== lastId) stage.mixed = true;
        lastSlot = slot;
      }
      series[count] = lastId;
      steps[count] = f64[pos + 1] as number;
      ys[count] = f64[pos + 2] as number;
      ts[count] = (i32[2 * pos + 1] as number) >>> 0;
      if (++count === STAGE) {
        stage.count = count;
        stage.flush();
        count = 0;
      }
      pos += 3;
      if (pos >= words) pos = 0;
      applied++;
    }
    stage.count = count;
    this.#pos = pos;
    this.#txnRows += applied;
    return applied;
  }

  /** Applies the record at the read position and moves past it. */
  #apply(): void {
    const { f64, i32, u8, words } = this.#ring;
    const w = this.#pos;
    const a = i32[2 * w] as number;
    const b = i32[2 * w + 1] as number;
    const kind = a & 0xff;
    let next: number;
    switch (kind) {
      case Kind.METRIC:
        this.#stage.push(
          this.#seriesId(a >>> 8),
          f64[w + 1] as number,
          f64[w + 2] as number,
          b >>> 0,
        );
        this.#txnRows++;
        next = w + 3;
        break;
      case Kind.METRICS: {
        const count = a >>> 8;
        const ts = b >>> 0;
        let word = w + 1;
        for (let i = 0; i < count; i++) {
          this.#stage.push(
            this.#seriesId(f64[word] as number),
            f64[word + 1] as number,
            f64[word + 2] as number,
            ts,
          );
          word += 3;
        }
        this.#txnRows += count;
        next = word;
        break;
      }
      case Kind.OP:
        this.#stage.flush();
        this.#applyOp(a >>> 8, u8.subarray((w + 1) * 8, (w + 1) * 8 + b));
        next = w + 1 + Math.ceil(b / 8);
        break;
      case Kind.CHUNK: {
        this.#chunks.push(u8.slice((w + 1) * 8, (w + 1) * 8 + b));
        const op = a >>> 8;
        if (op !== 0) {
          this.#stage.flush();
          this.#applyOp(op, concat(this.#chunks));
          this.#chunks = [];
        }
        next = w + 1 + Math.ceil(b / 8);
        break;
      }
      case Kind.FLUSH:
        this.#flushToken = b;
        next = w + 1;
        break;
      case Kind.WRAP:
        next = 0;
        break;
      default:
        throw new Error(`corrupt queue record of kind ${kind} at word ${w}`);
    }
    this.#pos = next >= words ? 0 : next;
  }

  #applyOp(op: number, payload: Uint8Array): void {
    const reader = new ByteReader(payload);
    switch (op) {
      case Op.DEFINE_SERIES: {
        const kind = reader.u8();
        const slot = reader.u32();
        this.#slotKinds[slot] = kind;
        this.#slotPaths[slot] = reader.str();
        this.#slotIds[slot] ??= 0;
        return;
      }
      case Op.STRINGS: {
        const ts = reader.u32();
        const count = reader.u32();
        for (let i = 0; i < count; i++) {
          const slot = reader.u32();
          const step = reader.f64();
          this.#insertString.run(this.#seriesId(slot), step, reader.str(), ts);
        }
        this.#txnRows += count;
        return;
      }
      case Op.CONFIGS: {
        const updatedAt = reader.str();
        const count = reader.u32();
        for (let i = 0; i < count; i++) {
          const path = reader.str();
          const tag = reader.str();
          this.#insertConfig.run(path, tag, reader.str(), updatedAt);
        }
        this.#txnRows += count;
        return;
      }
      case Op.META: {
        const key = reader.str();
        const present = reader.u8() === 1;
        const value = reader.str();
        if (present) this.#setMeta.run(key, value);
        else this.#deleteMeta.run(key);
        return;
      }
      case Op.CLOSE: {
        const now = performance.now();
        if (this.#monitoring) this.#consoleLines(this.#monitoring.partialLines(now, true), now);
        this.#closing = true;
        return;
      }
      case Op.CONSOLE: {
        const stream = reader.u8() === 1 ? 1 : 0;
        const now = performance.now();
        if (this.#monitoring)
          this.#consoleLines(this.#monitoring.consoleText(stream, reader.str(), now), now);
        return;
      }
      case Op.MONITOR:
        this.#monitoring = new SinkMonitoring(reader);
        this.#consoleAtCommit = this.#monitoring.snapshot();
        return;
      default:
        throw new Error(`corrupt queue operation ${op}`);
    }
  }

  #consoleLines(lines: readonly { path: string; step: number; line: string }[], now: number): void {
    if (lines.length === 0) return;
    if (this.#txnStart < 0) this.#begin(now);
    const ts = unixSeconds();
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
      const ts = unixSeconds();
      for (const [key, value] of entries) {
        const id = this.#pathId(SeriesKind.METRIC, `${monitoring.namespace}/${key}`);
        this.#insertMetric.run(id, step, Number.isNaN(value) ? "NaN" : value, ts);
      }
      this.#txnRows += entries.length;
    } catch (error) {
      this.#rollback(error, now);
    }
  }

  /** The id of a series, created when missing. */
  #resolve(kind: number, path: string): number {
    (this.#define[kind] as Statement).run(path);
    const row = (this.#idOf[kind] as Statement<{ id: number }, [string]>).get(path);
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

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
