/**
 * The Worker's side of a run's ring: decodes every record kind the producer writes,
 * reassembles payloads that came in chunks, and moves the ring's TAIL only when the
 * caller has committed what it read, so that after a failed commit everything since
 * the last good one is read again.
 */

import { Ctrl, Kind, type RingViews, RunState } from "./layout.ts";
import { decodeOp, type OpRecord } from "./op-codec.ts";

/** A record as the consumer hands it out. */
export type RingRecord =
  | {
      readonly kind: "metric";
      readonly slot: number;
      readonly ts: number;
      readonly step: number;
      readonly value: number;
    }
  | {
      readonly kind: "metrics";
      readonly ts: number;
      /** `(slot, step, value)` triples, one per point (a view on the ring: use before the next read). */
      readonly points: Float64Array;
    }
  | { readonly kind: "flush"; readonly token: number }
  | OpRecord;

/** Columns that single-point metric records are decoded into (the writer's metric stage). */
export interface MetricColumns {
  readonly series: Int32Array;
  readonly steps: Float64Array;
  readonly ys: Float64Array;
  readonly ts: Float64Array;
  count: number;
  /** Set when the columns hold more than one series. */
  mixed: boolean;
}

export class RingConsumer {
  readonly #ctrl: Int32Array;
  readonly #f64: Float64Array;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #words: number;
  /** Next word to read; TAIL is where reading restarts after a rewind. */
  #pos: number;
  /** HEAD as last polled: records before it may be read. */
  #head: number;
  /** Parts of a payload still being reassembled, and those already there at the last commit. */
  #chunks: Uint8Array[] = [];
  #committedChunks: Uint8Array[] = [];

  constructor(views: RingViews) {
    this.#ctrl = views.ctrl;
    this.#f64 = views.f64;
    this.#i32 = views.i32;
    this.#u8 = views.u8;
    this.#words = views.words;
    this.#pos = Atomics.load(this.#ctrl, Ctrl.TAIL);
    this.#head = this.#pos;
  }

  /** Looks for what the producer published since; returns whether records wait. */
  poll(): boolean {
    this.#head = Atomics.load(this.#ctrl, Ctrl.HEAD);
    return this.#pos !== this.#head;
  }

  /** Whether records up to the last poll are still unread. */
  get pending(): boolean {
    return this.#pos !== this.#head;
  }

  /** Words read since the last commit. */
  get uncommittedWords(): number {
    const tail = Atomics.load(this.#ctrl, Ctrl.TAIL);
    return (this.#pos - tail + this.#words) % this.#words;
  }

  /** Capacity of the ring, in words. */
  get words(): number {
    return this.#words;
  }

  /** Grants the producer at most `words` uncommitted words (see Ctrl.LIMIT). */
  grant(words: number): void {
    const limit = Math.floor(Math.min(this.#words - 1, Math.max(1, words)));
    Atomics.store(this.#ctrl, Ctrl.LIMIT, limit);
  }

  /** Whether the producer waits for room: the caller should commit at once. */
  get producerWaiting(): boolean {
    return Atomics.load(this.#ctrl, Ctrl.WAITING) === 1;
  }

  /**
   * The hot path: decodes consecutive single-point METRIC records (at most `limit`,
   * and no more than `columns` has room for) into `columns`, with `seriesOf` turning
   * a slot into the id stored in `columns.series` (asked once per change of slot).
   * Returns how many it read; 0 when the next record is of another kind.
   */
  readMetricRun(columns: MetricColumns, limit: number, seriesOf: (slot: number) => number): number {
    const f64 = this.#f64;
    const i32 = this.#i32;
    const { series, steps, ys, ts } = columns;
    const words = this.#words;
    const head = this.#head;
    let pos = this.#pos;
    let count = columns.count;
    const end = Math.min(count + limit, series.length);
    let lastSlot = -1;
    let lastId = 0;
    while (pos !== head && count < end) {
      const a = i32[2 * pos] as number;
      if ((a & 0xff) !== Kind.METRIC) break;
      const slot = a >>> 8;
      if (slot !== lastSlot) {
        lastId = seriesOf(slot);
        if (count > 0 && series[count - 1] !== lastId) columns.mixed = true;
        lastSlot = slot;
      }
      series[count] = lastId;
      steps[count] = f64[pos + 1] as number;
      ys[count] = f64[pos + 2] as number;
      ts[count] = (i32[2 * pos + 1] as number) >>> 0;
      count++;
      pos += 3;
      if (pos >= words) pos = 0;
    }
    const read = count - columns.count;
    columns.count = count;
    this.#pos = pos;
    return read;
  }

  /**
   * Decodes the next record and moves past it; `undefined` when nothing complete is
   * left before the polled HEAD (a payload whose last chunk has not come yet waits).
   */
  next(): RingRecord | undefined {
    const f64 = this.#f64;
    const i32 = this.#i32;
    const u8 = this.#u8;
    while (this.#pos !== this.#head) {
      const w = this.#pos;
      const a = i32[2 * w] as number;
      const b = i32[2 * w + 1] as number;
      const kind = a & 0xff;
      switch (kind) {
        case Kind.METRIC:
          this.#advance(w + 3);
          return {
            kind: "metric",
            slot: a >>> 8,
            ts: b >>> 0,
            step: f64[w + 1] as number,
            value: f64[w + 2] as number,
          };
        case Kind.METRICS: {
          const count = a >>> 8;
          const points = f64.subarray(w + 1, w + 1 + 3 * count);
          this.#advance(w + 1 + 3 * count);
          return { kind: "metrics", ts: b >>> 0, points };
        }
        case Kind.OP: {
          const payload = u8.subarray((w + 1) * 8, (w + 1) * 8 + b);
          this.#advance(w + 1 + Math.ceil(b / 8));
          return decodeOp(a >>> 8, payload);
        }
        case Kind.CHUNK: {
          this.#chunks.push(u8.slice((w + 1) * 8, (w + 1) * 8 + b));
          this.#advance(w + 1 + Math.ceil(b / 8));
          const op = a >>> 8;
          if (op === 0) break;
          const payload = concat(this.#chunks);
          this.#chunks = [];
          return decodeOp(op, payload);
        }
        case Kind.FLUSH:
          this.#advance(w + 1);
          return { kind: "flush", token: b };
        case Kind.WRAP:
          this.#pos = 0;
          break;
        default:
          throw new Error(`corrupt queue record of kind ${kind} at word ${w}`);
      }
    }
    return undefined;
  }

  #advance(next: number): void {
    this.#pos = next >= this.#words ? 0 : next;
  }

  /**
   * Everything read so far is committed: frees its room for the producer and, with
   * `flushToken`, tells the producer's flush waiters.
   */
  commit(flushToken: number | undefined): void {
    this.#committedChunks = [...this.#chunks];
    const ctrl = this.#ctrl;
    Atomics.store(ctrl, Ctrl.TAIL, this.#pos);
    Atomics.notify(ctrl, Ctrl.TAIL);
    if (flushToken !== undefined) {
      Atomics.store(ctrl, Ctrl.FLUSHED, flushToken);
      Atomics.notify(ctrl, Ctrl.FLUSHED);
    }
  }

  /** A commit failed: reading restarts after the last good commit (and the failure is counted). */
  rewind(): void {
    this.#pos = Atomics.load(this.#ctrl, Ctrl.TAIL);
    this.#chunks = [...this.#committedChunks];
    Atomics.add(this.#ctrl, Ctrl.ERRORS, 1);
  }

  /** Reports a failure that retrying does not cure (Failure), or its end (Failure.NONE). */
  setFailure(failure: number): void {
    if (Atomics.load(this.#ctrl, Ctrl.FAILURE) !== failure)
      Atomics.store(this.#ctrl, Ctrl.FAILURE, failure);
  }

  /** Whether the producer has asked for the close. */
  get closeRequested(): boolean {
    return Atomics.load(this.#ctrl, Ctrl.STATE) === RunState.CLOSING;
  }

  /** Whether everything the producer published is read and committed. */
  get drained(): boolean {
    return (
      this.#pos === Atomics.load(this.#ctrl, Ctrl.HEAD) &&
      this.#pos === Atomics.load(this.#ctrl, Ctrl.TAIL)
    );
  }

  /** The run's file is closed: the producer's close wait returns. */
  markClosed(): void {
    Atomics.store(this.#ctrl, Ctrl.STATE, RunState.CLOSED);
    Atomics.notify(this.#ctrl, Ctrl.STATE);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
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
