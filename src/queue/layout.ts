/**
 * The shared-memory queue between a run's main thread and the writer Worker: control
 * slots, record kinds and sizes. One ring per run; the main thread is its only
 * producer, the Worker its only consumer.
 *
 * The data area is addressed in 8-byte words. Every record starts with a header word
 * read as two int32: `a` (kind in the low 8 bits, a small operand above) and `b`.
 *
 * | kind    | a >>> 8        | b            | then                                     |
 * | ------- | -------------- | ------------ | ---------------------------------------- |
 * | METRIC  | slot           | ts (seconds) | step, value (2 words)                    |
 * | METRICS | point count n  | ts           | n × (slot, step, value) (3n words)       |
 * | OP      | op kind        | payload bytes| payload, padded to whole words           |
 * | CHUNK   | op kind, 0 = more follows | chunk bytes | part of a payload too big for one record |
 * | FLUSH   | 0              | token        | nothing: commit, then publish the token  |
 * | WRAP    | 0              | 0            | nothing: continue at word 0              |
 */

export const Ctrl = {
  /** Next word the producer writes (published with Atomics.store). */
  HEAD: 0,
  /** First word not yet committed; the consumer advances it after each commit. */
  TAIL: 1,
  /** 1 while the producer waits for room; the consumer then commits at once and notifies TAIL. */
  WAITING: 2,
  /** The last FLUSH token whose records are committed. */
  FLUSHED: 3,
  /** RunState of the ring's run. */
  STATE: 4,
  /** Count of failed commits (each retried); for diagnostics. */
  ERRORS: 5,
  /**
   * Most words the producer may keep uncommitted (0: the whole ring). The consumer sets
   * it from its measured commit rate, so that what waits in the ring is committed within
   * the commit window however fast the producer is.
   */
  LIMIT: 6,
  /**
   * A failure of the consumer's commits that retrying does not cure (Failure), set while
   * it lasts: the producer gives up waiting for room, and a close gives up its commit.
   */
  FAILURE: 7,
} as const;

export const Failure = {
  NONE: 0,
  /** SQLITE_FULL: the disk (or the file system's quota) is full. */
  DISK_FULL: 1,
  /** An I/O error, a read-only or vanished file: the file cannot be written. */
  UNWRITABLE: 2,
} as const;

export const CTRL_SLOTS = 8;
export const CTRL_BYTES = CTRL_SLOTS * 4;

export const RunState = {
  OPEN: 0,
  CLOSED: 1,
  /** The producer asked for the close (set after its CLOSE record, or instead of it when that could not be queued). */
  CLOSING: 2,
} as const;

export const Kind = {
  METRIC: 1,
  METRICS: 2,
  OP: 3,
  CHUNK: 4,
  FLUSH: 5,
  WRAP: 255,
} as const;

export const Op = {
  /** u8 series kind, u32 slot, str path */
  DEFINE_SERIES: 1,
  /** u32 ts, u32 n, then n × (u32 slot, f64 step, str value) */
  STRINGS: 2,
  /** str updated_at, u32 n, then n × (str path, str tag, str text) */
  CONFIGS: 3,
  /** str key, u8 present, str value: set (present = 1) or delete a run_meta key */
  META: 4,
  /** nothing: commit, checkpoint the WAL into the file and close it */
  CLOSE: 5,
  /** u8 stream (0 stdout, 1 stderr), str text: console output to cut into lines */
  CONSOLE: 6,
  /** str namespace, u8 hardware, f64 console next step, f64 hardware next step, f64 interval ms, u8 traceback */
  MONITOR: 7,
} as const;

export const SeriesKind = {
  METRIC: 0,
  STRING: 1,
} as const;

/** Default data area: 8 MiB, about 350,000 single-point records. */
export const DEFAULT_RING_BYTES = 8 * 1024 * 1024;

/** Views on one ring's shared memory. */
export interface RingViews {
  readonly ctrl: Int32Array;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  /** Capacity in words. */
  readonly words: number;
}

export function ringViews(buffer: SharedArrayBuffer): RingViews {
  const words = Math.floor((buffer.byteLength - CTRL_BYTES) / 8);
  return {
    ctrl: new Int32Array(buffer, 0, CTRL_SLOTS),
    f64: new Float64Array(buffer, CTRL_BYTES, words),
    i32: new Int32Array(buffer, CTRL_BYTES, words * 2),
    u8: new Uint8Array(buffer, CTRL_BYTES, words * 8),
    words,
  };
}

/**
 * Room granted before the consumer has measured its rate: 100,000 single points, which
 * a writer that commits 250,000 points/s commits in 0.4 s.
 */
export const FIRST_LIMIT_WORDS = 300_000;

export function allocateRing(dataBytes = DEFAULT_RING_BYTES): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(CTRL_BYTES + Math.ceil(dataBytes / 8) * 8);
  Atomics.store(new Int32Array(buffer, 0, CTRL_SLOTS), Ctrl.LIMIT, FIRST_LIMIT_WORDS);
  return buffer;
}
