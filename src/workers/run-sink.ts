/**
 * Applies the records of one run's ring to its SQLite file: the only writer of that
 * file while the run is open. Records are applied inside a transaction that commits
 * at least every 100 ms (or every 20,000 rows, or when asked); the ring's TAIL moves
 * only after a commit, so a failed commit is rolled back and replayed from the ring.
 */

import { Database, type Statement } from "bun:sqlite";
import { LineCutter, type LineCutterState } from "../monitoring/console-lines.ts";
import { ByteReader } from "../queue/bytes.ts";
import { Ctrl, Kind, Op, type RingViews, RunState, SeriesKind } from "../queue/layout.ts";
import { applyWriterPragmas } from "../storage/schema.ts";
import { nowIso } from "../values/time.ts";

const COMMIT_INTERVAL_MS = 100;
const COMMIT_ROWS = 20_000;
const HEARTBEAT_INTERVAL_MS = 10_000;
const RETRY_DELAY_MS = 500;
/** Rows per multi-row INSERT: one statement call per 64 points is about twice as fast as one per point. */
const BATCH = 64;
/** Metric points held before they are written, grouped by series. */
const STAGE = 16_384;

type Binding = number | string;

export interface SinkEvents {
  /** A commit failed; it is retried after a pause. */
  onError(message: string): void;
  /** The run is about to report itself closed (the last moment the Worker can tidy up for it). */
  onFinish?(): void;
}

/** What the run's monitoring asked for (the MONITOR operation). */
interface Monitoring {
  readonly namespace: string;
  readonly hardware: boolean;
  readonly intervalMs: number;
  consoleStep: number;
  hardwareStep: number;
  readonly cutters: [LineCutter, LineCutter];
}

/** Console state as of the last commit, to go back to when a transaction rolls back. */
interface ConsoleSnapshot {
  consoleStep: number;
  cutters: [LineCutterState, LineCutterState];
}

const STREAMS = ["stdout", "stderr"] as const;
/** How often partial console lines are considered for flushing, as the peer's drain. */
const CONSOLE_DRAIN_MS = 1000;

export class RunSink {
  readonly file: string;
  readonly #db: Database;
  readonly #ring: RingViews;
  readonly #events: SinkEvents;

  readonly #insertMetric: Statement;
  readonly #insertMetricBatch: Statement;
  readonly #insertString: Statement;
  readonly #insertConfig: Statement;
  readonly #setMeta: Statement;
  readonly #deleteMeta: Statement;
  readonly #defineMetric: Statement;
  readonly #defineString: Statement;
  readonly #metricId: Statement<{ id: number }, [string]>;
  readonly #stringId: Statement<{ id: number }, [string]>;

  /** Per slot: the series path, its kind, and its id once resolved in the file (0 = not yet). */
  readonly #slotPaths: string[] = [];
  readonly #slotKinds: number[] = [];
  readonly #slotIds: number[] = [];
  /** Slots resolved inside the open transaction: forgotten again if it rolls back. */
  #resolvedInTxn: number[] = [];

  // Metric points are staged, then written grouped by series: with several series
  // interleaved (logMetrics), inserting each series' points together keeps the
  // primary-key index writes sequential, which is faster and packs pages denser.
  readonly #stageSeries = new Int32Array(STAGE);
  readonly #stageStep = new Float64Array(STAGE);
  readonly #stageY = new Float64Array(STAGE);
  readonly #stageTs = new Float64Array(STAGE);
  #staged = 0;
  #stageMixed = false;
  readonly #order = new Int32Array(STAGE);
  readonly #batch: Binding[] = new Array(BATCH * 4);

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
  #monitoring: Monitoring | undefined;
  #consoleAtCommit: ConsoleSnapshot | undefined;
  #lastConsoleDrain = 0;
  /** Series ids of paths the Worker logs itself (console lines, hardware), by kind and path. */
  #pathIds = new Map<string, number>();

  constructor(file: string, ring: RingViews, events: SinkEvents) {
    this.file = file;
    this.#ring = ring;
    this.#events = events;
    this.#pos = Atomics.load(ring.ctrl, Ctrl.TAIL);
    this.#db = new Database(file, { strict: true });
    applyWriterPragmas(this.#db);
    const db = this.#db;
    const metricSql =
      "INSERT OR REPLACE INTO metric_points (series_id, step, y, ts, uploaded) VALUES ";
    this.#insertMetric = db.query(`${metricSql}(?, ?, ?, ?, 0)`);
    this.#insertMetricBatch = db.query(
      metricSql + new Array(BATCH).fill("(?, ?, ?, ?, 0)").join(", "),
    );
    this.#insertString = db.query(
      "INSERT OR REPLACE INTO string_points (series_id, step, value, ts, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#insertConfig = db.query(
      "INSERT OR REPLACE INTO configs (path, type_tag, value, updated_at, uploaded) VALUES (?, ?, ?, ?, 0)",
    );
    this.#setMeta = db.query("INSERT OR REPLACE INTO run_meta (key, value) VALUES (?, ?)");
    this.#deleteMeta = db.query("DELETE FROM run_meta WHERE key = ?");
    this.#defineMetric = db.query("INSERT OR IGNORE INTO metric_series (path) VALUES (?)");
    this.#defineString = db.query("INSERT OR IGNORE INTO string_series (path) VALUES (?)");
    this.#metricId = db.query("SELECT id FROM metric_series WHERE path = ?");
    this.#stringId = db.query("SELECT id FROM string_series WHERE path = ?");
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
      if (this.#txnStart >= 0) {
        const due =
          this.#closing ||
          this.#flushToken !== undefined ||
          this.#txnRows >= COMMIT_ROWS ||
          now - this.#txnStart >= COMMIT_INTERVAL_MS ||
          Atomics.load(ctrl, Ctrl.WAITING) === 1;
        if (due) this.#commit();
      }
      if (this.#monitoring && now - this.#lastConsoleDrain >= CONSOLE_DRAIN_MS && !this.#closing) {
        this.#lastConsoleDrain = now;
        this.#drainPartials(now, false);
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
    this.#flushStage();
    this.#db.run("COMMIT");
    this.#txnStart = -1;
    this.#resolvedInTxn = [];
    this.#chunksAtCommit = this.#chunks.length;
    this.#consoleAtCommit = this.#consoleSnapshot();
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
    if (this.#monitoring && this.#consoleAtCommit) {
      this.#monitoring.consoleStep = this.#consoleAtCommit.consoleStep;
      this.#monitoring.cutters[0].restore(this.#consoleAtCommit.cutters[0]);
      this.#monitoring.cutters[1].restore(this.#consoleAtCommit.cutters[1]);
    }
    this.#chunks.length = this.#chunksAtCommit;
    this.#staged = 0;
    this.#stageMixed = false;
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
    const stageSeries = this.#stageSeries;
    const stageStep = this.#stageStep;
    const stageY = this.#stageY;
    const stageTs = this.#stageTs;
    let pos = this.#pos;
    let applied = 0;
    let lastSlot = -1;
    let lastId = 0;
    let staged = this.#staged;
    while (pos !== head && applied < limit) {
      const a = i32[2 * pos] as number;
      if ((a & 0xff) !== Kind.METRIC) break;
      const slot = a >>> 8;
      if (slot !== lastSlot) {
        lastId = this.#seriesId(slot);
        if (staged > 0 && stageSeries[staged - 1] !== lastId) this.#stageMixed = true;
        lastSlot = slot;
      }
      stageSeries[staged] = lastId;
      stageStep[staged] = f64[pos + 1] as number;
      stageY[staged] = f64[pos + 2] as number;
      stageTs[staged] = (i32[2 * pos + 1] as number) >>> 0;
      if (++staged === STAGE) {
        this.#staged = staged;
        this.#flushStage();
        staged = 0;
      }
      pos += 3;
      if (pos >= words) pos = 0;
      applied++;
    }
    this.#staged = staged;
    this.#pos = pos;
    this.#txnRows += applied;
    return applied;
  }

  /** Applies the record at the read position and moves past it. */
  #apply(): void {
    const { f64, i32, words } = this.#ring;
    const w = this.#pos;
    const a = i32[2 * w] as number;
    const b = i32[2 * w + 1] as number;
    const kind = a & 0xff;
    let next: number;
    switch (kind) {
      case Kind.METRIC:
        this.#addMetric(a >>> 8, f64[w + 1] as number, f64[w + 2] as number, b >>> 0);
        next = w + 3;
        break;
      case Kind.METRICS: {
        const count = a >>> 8;
        const ts = b >>> 0;
        let word = w + 1;
        for (let i = 0; i < count; i++) {
          this.#addMetric(
            f64[word] as number,
            f64[word + 1] as number,
            f64[word + 2] as number,
            ts,
          );
          word += 3;
        }
        next = word;
        break;
      }
      case Kind.OP:
        this.#flushStage();
        this.#applyOp(a >>> 8, this.#ring.u8.subarray((w + 1) * 8, (w + 1) * 8 + b));
        next = w + 1 + Math.ceil(b / 8);
        break;
      case Kind.CHUNK: {
        this.#chunks.push(this.#ring.u8.slice((w + 1) * 8, (w + 1) * 8 + b));
        const op = a >>> 8;
        if (op !== 0) {
          this.#flushStage();
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

  #addMetric(slot: number, step: number, value: number, ts: number): void {
    const staged = this.#staged;
    const id = this.#seriesId(slot);
    if (staged > 0 && this.#stageSeries[staged - 1] !== id) this.#stageMixed = true;
    this.#stageSeries[staged] = id;
    this.#stageStep[staged] = step;
    this.#stageY[staged] = value;
    this.#stageTs[staged] = ts;
    this.#txnRows++;
    this.#staged = staged + 1;
    if (this.#staged === STAGE) this.#flushStage();
  }

  /** Writes the staged points, grouped by series (a stable counting sort keeps each series' order). */
  #flushStage(): void {
    const count = this.#staged;
    if (count === 0) return;
    const order = this.#order;
    if (this.#stageMixed) groupBySeries(this.#stageSeries, count, order);
    else for (let i = 0; i < count; i++) order[i] = i;
    const batch = this.#batch;
    const series = this.#stageSeries;
    const steps = this.#stageStep;
    const ys = this.#stageY;
    const ts = this.#stageTs;
    let rows = 0;
    for (let i = 0; i < count; i++) {
      const row = order[i] as number;
      const base = rows * 4;
      const y = ys[row] as number;
      batch[base] = series[row] as number;
      batch[base + 1] = steps[row] as number;
      // NaN cannot be a REAL in SQLite (it would become NULL): it is stored as the TEXT 'NaN'.
      batch[base + 2] = Number.isNaN(y) ? "NaN" : y;
      batch[base + 3] = ts[row] as number;
      if (++rows === BATCH) {
        this.#insertMetricBatch.run(batch);
        rows = 0;
      }
    }
    for (let row = 0; row < rows; row++) {
      const base = row * 4;
      this.#insertMetric.run(batch[base], batch[base + 1], batch[base + 2], batch[base + 3]);
    }
    this.#staged = 0;
    this.#stageMixed = false;
  }

  #consoleSnapshot(): ConsoleSnapshot | undefined {
    const monitoring = this.#monitoring;
    if (!monitoring) return undefined;
    return {
      consoleStep: monitoring.consoleStep,
      cutters: [monitoring.cutters[0].snapshot(), monitoring.cutters[1].snapshot()],
    };
  }

  #consoleText(stream: 0 | 1, text: string): void {
    const monitoring = this.#monitoring;
    if (!monitoring) return;
    const now = performance.now();
    for (const line of monitoring.cutters[stream].push(text, now)) this.#consoleLine(stream, line);
  }

  /** Logs partial lines that waited long enough (or all of them, at close). */
  #drainPartials(now: number, force: boolean): void {
    const monitoring = this.#monitoring;
    if (!monitoring) return;
    for (const stream of [0, 1] as const) {
      const line = monitoring.cutters[stream].flushPartial(now, force);
      if (line !== undefined) {
        if (this.#txnStart < 0) this.#begin(now);
        this.#consoleLine(stream, line);
      }
    }
  }

  #consoleLine(stream: 0 | 1, line: string): void {
    const monitoring = this.#monitoring as Monitoring;
    const path = `${monitoring.namespace}/${STREAMS[stream]}`;
    this.#insertString.run(
      this.#pathId(SeriesKind.STRING, path),
      monitoring.consoleStep++,
      line,
      unixSeconds(),
    );
    this.#txnRows++;
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
    return (this.#monitoring as Monitoring).hardwareStep++;
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

  #pathId(kind: number, path: string): number {
    const key = `${kind}:${path}`;
    const known = this.#pathIds.get(key);
    if (known !== undefined) return known;
    const metric = kind === SeriesKind.METRIC;
    (metric ? this.#defineMetric : this.#defineString).run(path);
    const row = (metric ? this.#metricId : this.#stringId).get(path);
    if (!row) throw new Error(`series '${path}' vanished after it was created`);
    this.#pathIds.set(key, row.id);
    return row.id;
  }

  #seriesId(slot: number): number {
    const known = this.#slotIds[slot];
    if (known) return known;
    const path = this.#slotPaths[slot];
    if (path === undefined) throw new Error(`queue names series slot ${slot} before defining it`);
    const metric = this.#slotKinds[slot] === SeriesKind.METRIC;
    (metric ? this.#defineMetric : this.#defineString).run(path);
    const row = (metric ? this.#metricId : this.#stringId).get(path);
    if (!row) throw new Error(`series '${path}' vanished after it was created`);
    this.#slotIds[slot] = row.id;
    this.#resolvedInTxn.push(slot);
    return row.id;
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
      case Op.CLOSE:
        this.#drainPartials(performance.now(), true);
        this.#closing = true;
        return;
      case Op.CONSOLE: {
        const stream = reader.u8();
        this.#consoleText(stream === 1 ? 1 : 0, reader.str());
        return;
      }
      case Op.MONITOR: {
        const namespace = reader.str();
        reader.u8(); // stdout and stderr capture happen on the main thread
        reader.u8();
        const hardware = reader.u8() === 1;
        const consoleStep = reader.f64();
        const hardwareStep = reader.f64();
        const intervalMs = reader.f64();
        this.#monitoring = {
          namespace,
          hardware,
          intervalMs,
          consoleStep,
          hardwareStep,
          cutters: [new LineCutter(), new LineCutter()],
        };
        this.#consoleAtCommit = this.#consoleSnapshot();
        return;
      }
      default:
        throw new Error(`corrupt queue operation ${op}`);
    }
  }
}

/** Fills `order[0..count)` with row indexes grouped by series id, each group in row order. */
function groupBySeries(series: Int32Array, count: number, order: Int32Array): void {
  const starts = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const id = series[i] as number;
    starts.set(id, (starts.get(id) ?? 0) + 1);
  }
  let offset = 0;
  for (const [id, n] of [...starts].sort((x, y) => x[0] - y[0])) {
    starts.set(id, offset);
    offset += n;
  }
  for (let i = 0; i < count; i++) {
    const id = series[i] as number;
    const at = starts.get(id) as number;
    order[at] = i;
    starts.set(id, at + 1);
  }
}

function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
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
