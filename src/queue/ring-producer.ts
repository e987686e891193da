/**
 * The main thread's side of a run's ring: writes records and publishes them with one
 * atomic store, so the Worker can drain them without this thread ever yielding. When
 * the ring is full the producer blocks until the Worker has committed and made room.
 */

import { StorageError } from "../errors.ts";
import { waitForCell } from "./atomic-wait.ts";
import { ByteWriter } from "./bytes.ts";
import { flushedAsync, waitFlushed } from "./flush-wait.ts";
import { Ctrl, Kind, Op, type RingViews, RunState } from "./layout.ts";
import {
  type ConfigRecord,
  encodeConfigs,
  encodeConsole,
  encodeDefine,
  encodeMeta,
  encodeMonitor,
  encodeString,
  encodeStrings,
  type MonitorRecord,
  type StringPointRecord,
} from "./op-codec.ts";
import { WriterFailure } from "./writer-failure.ts";

/** How long a full ring may see no progress before logging gives up with an error. */
const STALL_LIMIT_MS = 120_000;

export class RingProducer {
  readonly #ctrl: Int32Array;
  readonly #f64: Float64Array;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #words: number;
  /** Largest record, in words, written in one piece; bigger payloads are chunked. */
  readonly #maxRecordWords: number;
  #head: number;
  #tail: number;
  readonly #failure: WriterFailure;
  /** Words that may be in use (uncommitted), refreshed from Ctrl.LIMIT whenever the producer waits. */
  #room: number;
  #flushToken = 0;
  /** Where OP payloads are encoded before they are copied into the ring. */
  readonly #payload = new ByteWriter();

  constructor(views: RingViews) {
    this.#ctrl = views.ctrl;
    this.#f64 = views.f64;
    this.#i32 = views.i32;
    this.#u8 = views.u8;
    this.#words = views.words;
    this.#maxRecordWords = Math.max(16, Math.floor(views.words / 4));
    this.#head = Atomics.load(this.#ctrl, Ctrl.HEAD);
    this.#tail = Atomics.load(this.#ctrl, Ctrl.TAIL);
    this.#room = this.#limit();
    this.#failure = new WriterFailure(this.#ctrl);
  }

  /** The room the consumer grants: its time bound, or the whole ring (less the one word that tells full from empty). */
  #limit(): number {
    const limit = Atomics.load(this.#ctrl, Ctrl.LIMIT);
    return limit > 0 ? Math.min(limit, this.#words - 1) : this.#words - 1;
  }

  /** One metric point: the hot path of `run.log`. */
  putMetric(slot: number, ts: number, step: number, value: number): void {
    let head = this.#head;
    if (head + 3 > this.#words || this.#free(head) < 3) head = this.#reserve(3);
    const f64 = this.#f64;
    const i32 = this.#i32;
    i32[2 * head] = Kind.METRIC | (slot << 8);
    i32[2 * head + 1] = ts;
    f64[head + 1] = step;
    f64[head + 2] = value;
    head += 3;
    this.#publish(head === this.#words ? 0 : head);
  }

  /** The first `count` points of one `logMetrics` call, as one record (committed together). */
  putMetrics(ts: number, slots: number[], steps: number[], values: number[], count: number): void {
    const size = 1 + 3 * count;
    if (size > this.#maxRecordWords) {
      for (let start = 0; start < count; start += 1024) {
        const end = Math.min(count, start + 1024);
        this.putMetrics(
          ts,
          slots.slice(start, end),
          steps.slice(start, end),
          values.slice(start, end),
          end - start,
        );
      }
      return;
    }
    let head = this.#head;
    if (head + size > this.#words || this.#free(head) < size) head = this.#reserve(size);
    const f64 = this.#f64;
    this.#i32[2 * head] = Kind.METRICS | (count << 8);
    this.#i32[2 * head + 1] = ts;
    let word = head + 1;
    for (let i = 0; i < count; i++) {
      f64[word] = slots[i] as number;
      f64[word + 1] = steps[i] as number;
      f64[word + 2] = values[i] as number;
      word += 3;
    }
    this.#publish(word === this.#words ? 0 : word);
  }

  /** Names a series slot: the records after it may use the slot. */
  putDefine(seriesKind: number, slot: number, path: string): void {
    this.#putOp(Op.DEFINE_SERIES, encodeDefine(this.#payload, seriesKind, slot, path));
  }

  /** One string point (the hot path of `run.log` with a string). */
  putString(ts: number, slot: number, step: number, value: string): void {
    this.#putOp(Op.STRINGS, encodeString(this.#payload, ts, slot, step, value));
  }

  /** The string points of one `logStrings` call, as one record (committed together). */
  putStrings(ts: number, points: readonly StringPointRecord[]): void {
    this.#putOp(Op.STRINGS, encodeStrings(this.#payload, ts, points));
  }

  /** The configs of one call, with one `updated_at`. */
  putConfigs(updatedAt: string, entries: readonly ConfigRecord[]): void {
    this.#putOp(Op.CONFIGS, encodeConfigs(this.#payload, updatedAt, entries));
  }

  /** Sets a run_meta key, or deletes it when `value` is undefined. */
  putMeta(key: string, value: string | undefined): void {
    this.#putOp(Op.META, encodeMeta(this.#payload, key, value));
  }

  /** Console output for the Worker to cut into lines. */
  putConsole(stream: 0 | 1, text: string): void {
    this.#putOp(Op.CONSOLE, encodeConsole(this.#payload, stream, text));
  }

  /** Starts the Worker-side monitoring of the run. */
  putMonitor(monitor: MonitorRecord): void {
    this.#putOp(Op.MONITOR, encodeMonitor(this.#payload, monitor));
  }

  /**
   * The end of the run: the Worker commits, checkpoints and closes the file. The close is
   * requested in the control cells too, so that a Worker that cannot commit (a full disk)
   * still closes the file, and a CLOSE record that cannot be queued is not needed.
   */
  putClose(): void {
    try {
      this.#putOp(Op.CLOSE, new Uint8Array(0));
    } finally {
      Atomics.compareExchange(this.#ctrl, Ctrl.STATE, RunState.OPEN, RunState.CLOSING);
    }
  }

  /** The persistent failure the Worker reports now, as the error logging would throw. */
  get failure(): StorageError | undefined {
    return this.#failure.current;
  }

  /** Payloads longer than this many bytes travel in several CHUNK records. */
  get chunkBytes(): number {
    return (this.#maxRecordWords - 1) * 8;
  }

  /** An operation record with a binary payload; payloads larger than a quarter ring go in chunks. */
  #putOp(op: number, payload: Uint8Array): void {
    const maxBytes = this.chunkBytes;
    if (payload.length <= maxBytes) {
      this.#putBytes(Kind.OP | (op << 8), payload);
      return;
    }
    for (let start = 0; start < payload.length; start += maxBytes) {
      const end = Math.min(payload.length, start + maxBytes);
      const last = end === payload.length;
      this.#putBytes(Kind.CHUNK | ((last ? op : 0) << 8), payload.subarray(start, end));
    }
  }

  /** Asks for a commit of everything written so far; returns the token the Worker publishes. */
  putFlush(): number {
    this.#flushToken = (this.#flushToken + 1) | 0 || 1;
    let head = this.#head;
    if (head + 1 > this.#words || this.#free(head) < 1) head = this.#reserve(1);
    this.#i32[2 * head] = Kind.FLUSH;
    this.#i32[2 * head + 1] = this.#flushToken;
    this.#publish(head + 1 === this.#words ? 0 : head + 1);
    return this.#flushToken;
  }

  /**
   * Blocks until flush `token` is committed, or `timeoutMs` passes; returns whether it
   * was. Throws the failure the Worker reports once it has lasted the grace period.
   */
  waitFlushed(token: number, timeoutMs: number): boolean {
    return waitFlushed(this.#ctrl, this.#failure, token, timeoutMs);
  }

  /** Waits without blocking the event loop until flush `token` is committed (or fails as `waitFlushed`). */
  flushedAsync(token: number, timeoutMs: number): Promise<boolean> {
    return flushedAsync(this.#ctrl, this.#failure, token, timeoutMs);
  }

  /** Blocks until the Worker reports the run closed, or `timeoutMs` passes. */
  waitClosed(timeoutMs: number): boolean {
    return waitForCell(this.#ctrl, Ctrl.STATE, (state) => state === RunState.CLOSED, timeoutMs);
  }

  #putBytes(header: number, payload: Uint8Array): void {
    const size = 1 + Math.ceil(payload.length / 8);
    let head = this.#head;
    if (head + size > this.#words || this.#free(head) < size) head = this.#reserve(size);
    this.#i32[2 * head] = header;
    this.#i32[2 * head + 1] = payload.length;
    this.#u8.set(payload, (head + 1) * 8);
    const next = head + size;
    this.#publish(next === this.#words ? 0 : next);
  }

  #publish(head: number): void {
    this.#head = head;
    Atomics.store(this.#ctrl, Ctrl.HEAD, head);
  }

  /** Free words from `head`, within the room granted, by the tail last seen. */
  #free(head: number): number {
    const used = head >= this.#tail ? head - this.#tail : head + this.#words - this.#tail;
    return this.#room - used;
  }

  /**
   * Makes room for `size` contiguous words and returns where they start, wrapping to
   * word 0 when they do not fit before the end. Blocks while the Worker catches up.
   */
  #reserve(size: number): number {
    let stalledSince = Date.now();
    let lastTail = this.#tail;
    for (;;) {
      this.#tail = Atomics.load(this.#ctrl, Ctrl.TAIL);
      const head = this.#head;
      const wraps = head + size > this.#words;
      const needed = wraps ? this.#words - head + size : size;
      // A record bigger than the granted room still fits once the ring has drained enough.
      this.#room = Math.max(this.#limit(), Math.min(needed, this.#words - 1));
      if (this.#free(head) >= needed) {
        Atomics.store(this.#ctrl, Ctrl.WAITING, 0);
        if (!wraps) return head;
        this.#i32[2 * head] = Kind.WRAP;
        this.#i32[2 * head + 1] = 0;
        this.#publish(0);
        return 0;
      }
      this.#failure.check();
      if (this.#tail !== lastTail) {
        lastTail = this.#tail;
        stalledSince = Date.now();
      } else if (Date.now() - stalledSince > STALL_LIMIT_MS) {
        Atomics.store(this.#ctrl, Ctrl.WAITING, 0);
        throw new StorageError(
          `The run's writer made no progress for ${STALL_LIMIT_MS / 1000} s while its queue was full; the run file may be locked or the disk full.`,
        );
      }
      Atomics.store(this.#ctrl, Ctrl.WAITING, 1);
      Atomics.wait(this.#ctrl, Ctrl.TAIL, this.#tail, 20);
    }
  }
}
