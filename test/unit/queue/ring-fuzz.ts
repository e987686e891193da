/**
 * A seeded generator of producer calls for the ring fuzz tests, the records each call
 * must come out as, and a consumer driver that commits and rewinds at random.
 */

import type { MetricColumns, RingConsumer, RingRecord } from "../../../src/queue/ring-consumer.ts";
import type { RingProducer } from "../../../src/queue/ring-producer.ts";

/** mulberry32: a small seeded PRNG, so that a failing seed replays exactly. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A record as compared: METRICS points as plain triples, everything else as decoded. */
export type Plain =
  | Exclude<RingRecord, { kind: "metrics" }>
  | { kind: "metrics"; ts: number; points: number[] };

export function plain(record: RingRecord): Plain {
  if (record.kind === "metrics")
    return { kind: "metrics", ts: record.ts, points: [...record.points] };
  return record;
}

/** One producer call and what the consumer must read for it. */
export interface Put {
  /** Makes the call; returns what the producer returned (a flush token, for flushes). */
  readonly call: (producer: RingProducer) => unknown;
  readonly expect: (result: unknown) => Plain[];
  readonly flush: boolean;
  /** Upper bound of the ring words the call may take, wrap included. */
  readonly words: number;
}

const UPDATED_AT = "2026-12-02T07:00:00.000000+00:00";

/** ASCII text of exactly `bytes` bytes, or mixed UTF-8 of about that many. */
function text(random: () => number, bytes: number, exact: boolean): string {
  if (exact) return "x".repeat(Math.max(0, bytes));
  const parts = ["a", "é", "✓", "\n", "𝛼", " "];
  let out = "";
  let size = 0;
  while (size < bytes) {
    const part = parts[Math.floor(random() * parts.length)] as string;
    out += part;
    size += new TextEncoder().encode(part).length;
  }
  return out;
}

/**
 * A payload length near the chunk boundary (on either side of it, or a few times it),
 * or a small one.
 */
function payloadBytes(random: () => number, chunkBytes: number, maxBytes: number): number {
  const pick = random();
  if (pick < 0.4) return Math.floor(random() * 200);
  if (pick < 0.8) return chunkBytes + Math.floor(random() * 9) - 4;
  return Math.floor(chunkBytes + random() * (maxBytes - chunkBytes));
}

/** Generates `count` calls; payloads stay under `maxBytes`. */
export function generate(seed: number, count: number, chunkBytes: number, maxBytes: number): Put[] {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const size = (payload: number) => {
    const records = Math.max(1, Math.ceil(payload / chunkBytes));
    const chunkWords = Math.ceil(chunkBytes / 8) + 1;
    return Math.ceil(payload / 8) + records + chunkWords;
  };
  const puts: Put[] = [];
  for (let i = 0; i < count; i++) {
    const pick = random();
    const ts = int(2 ** 31);
    if (pick < 0.3) {
      const slot = int(5000);
      const step = random() < 0.5 ? int(1e6) : random() * 1e6;
      const value = [Number.NaN, Number.POSITIVE_INFINITY, -0, random()][int(4)] as number;
      puts.push({
        call: (p) => p.putMetric(slot, ts, step, value),
        expect: () => [{ kind: "metric", slot, ts, step, value }],
        words: 6,
        flush: false,
      });
    } else if (pick < 0.4) {
      const n = 1 + int(60);
      const slots = Array.from({ length: n }, () => int(5000));
      const steps = Array.from({ length: n }, () => random() * 100);
      const values = Array.from({ length: n }, () => random() - 0.5);
      const points = slots.flatMap((slot, k) => [slot, steps[k] as number, values[k] as number]);
      puts.push({
        call: (p) => p.putMetrics(ts, slots, steps, values, n),
        expect: () => [{ kind: "metrics", ts, points }],
        words: 2 * (1 + 3 * n),
        flush: false,
      });
    } else if (pick < 0.5) {
      puts.push({
        call: (p) => p.putFlush(),
        expect: (token) => [{ kind: "flush", token: token as number }],
        flush: true,
        words: 2,
      });
    } else if (pick < 0.6) {
      const points = Array.from({ length: 1 + int(4) }, () => ({
        slot: int(100),
        step: random() * 10,
        value: text(random, int(300), false),
      }));
      puts.push({
        call: (p) => p.putStrings(ts, points),
        expect: () => [{ kind: "strings", ts, points }],
        words: size(8 + points.reduce((sum, point) => sum + 16 + point.value.length * 4, 0)),
        flush: false,
      });
    } else if (pick < 0.75) {
      const stream = int(2) as 0 | 1;
      const bytes = payloadBytes(random, chunkBytes, maxBytes);
      const exact = random() < 0.7;
      const body = text(random, bytes - 5, exact);
      puts.push({
        call: (p) => p.putConsole(stream, body),
        expect: () => [{ kind: "console", stream, text: body }],
        words: size(5 + new TextEncoder().encode(body).length),
        flush: false,
      });
    } else if (pick < 0.85) {
      const path = `cfg/${int(50)}`;
      const fixed = 4 + UPDATED_AT.length + 4 + 4 + path.length + 4 + 3 + 4;
      const body = text(random, payloadBytes(random, chunkBytes, maxBytes) - fixed, true);
      const entries = [{ path, tag: "str", text: body }];
      puts.push({
        call: (p) => p.putConfigs(UPDATED_AT, entries),
        expect: () => [{ kind: "configs", updatedAt: UPDATED_AT, entries }],
        words: size(fixed + body.length),
        flush: false,
      });
    } else if (pick < 0.92) {
      const key = `key${int(5)}`;
      const value = random() < 0.3 ? undefined : text(random, int(40), false);
      puts.push({
        call: (p) => p.putMeta(key, value),
        expect: () => [{ kind: "meta", key, value }],
        words: size(10 + key.length + (value?.length ?? 0) * 4),
        flush: false,
      });
    } else if (pick < 0.97) {
      const seriesKind = int(2);
      const slot = int(5000);
      const path = text(random, 1 + int(60), false);
      puts.push({
        call: (p) => p.putDefine(seriesKind, slot, path),
        expect: () => [{ kind: "define", seriesKind, slot, path }],
        words: size(9 + path.length * 4),
        flush: false,
      });
    } else {
      const monitor = {
        namespace: `monitoring/${int(1e6)}`,
        hardware: random() < 0.5,
        consoleStep: int(100),
        hardwareStep: int(100),
        intervalMs: 1 + int(1000),
        gpuTimeoutMs: 1 + int(10_000),
        traceback: true,
      };
      puts.push({
        call: (p) => p.putMonitor(monitor),
        expect: () => [{ kind: "monitor", ...monitor }],
        words: size(64),
        flush: false,
      });
    }
  }
  return puts;
}

/**
 * Reads what the ring holds, committing or rewinding at random as the writer does
 * (a rewind drops what was read since the last commit, which is then read again);
 * committed records go to `out`, committed flush tokens to `flushed`.
 */
export class FuzzConsumer {
  readonly out: Plain[] = [];
  readonly flushed: number[] = [];
  readonly #consumer: RingConsumer;
  readonly #random: () => number;
  #uncommitted: Plain[] = [];
  rewinds = 0;
  commits = 0;

  constructor(consumer: RingConsumer, random: () => number) {
    this.#consumer = consumer;
    this.#random = random;
  }

  static #newColumns(capacity: number): MetricColumns {
    return {
      series: new Int32Array(capacity),
      steps: new Float64Array(capacity),
      ys: new Float64Array(capacity),
      ts: new Float64Array(capacity),
      count: 0,
      mixed: false,
    };
  }

  /** Reads until nothing more is there; ends with a commit. */
  drain(): void {
    const consumer = this.#consumer;
    consumer.poll();
    for (;;) {
      if (this.#random() < 0.5) {
        const columns = FuzzConsumer.#newColumns(1 + Math.floor(this.#random() * 64));
        const read = consumer.readMetricRun(columns, columns.series.length, (slot) => slot + 7);
        for (let i = 0; i < read; i++) {
          this.#uncommitted.push({
            kind: "metric",
            slot: (columns.series[i] as number) - 7,
            ts: columns.ts[i] as number,
            step: columns.steps[i] as number,
            value: columns.ys[i] as number,
          });
        }
        if (read > 0) {
          this.#maybeEnd();
          continue;
        }
      }
      const record = consumer.next();
      if (record === undefined) {
        if (consumer.poll()) continue;
        // A commit may fail here too, with part of a chunked payload read.
        if (this.#random() < 0.2) {
          this.rewind();
          continue;
        }
        break;
      }
      this.#uncommitted.push(plain(record));
      this.#maybeEnd();
    }
    this.commit();
  }

  #maybeEnd(): void {
    const pick = this.#random();
    if (pick < 0.05) this.rewind();
    else if (pick < 0.15) this.commit();
  }

  commit(): void {
    const tokens = this.#uncommitted.flatMap((record) =>
      record.kind === "flush" ? [record.token] : [],
    );
    this.#consumer.commit(tokens.at(-1));
    this.out.push(...this.#uncommitted);
    this.flushed.push(...tokens);
    this.#uncommitted = [];
    this.commits++;
  }

  rewind(): void {
    this.#consumer.rewind();
    this.#uncommitted = [];
    this.rewinds++;
  }
}
