/**
 * Seeded fuzz tests of the ring: whatever mix of records goes in (single points,
 * batches, flush tokens, payloads on both sides of the chunk boundary and bigger than
 * the whole ring) comes out of the consumer unchanged and in order, while it commits
 * and rewinds at random as the writer does after a failed commit.
 */

import { describe, expect, it } from "bun:test";
import { allocateRing, Ctrl, ringViews } from "../../../src/queue/layout.ts";
import { RingConsumer } from "../../../src/queue/ring-consumer.ts";
import { RingProducer } from "../../../src/queue/ring-producer.ts";
import { FuzzConsumer, generate, type Plain, prng } from "./ring-fuzz.ts";
import type { ProducerJob } from "./ring-producer-worker.ts";

const RING_BYTES = 64 * 1024;

/** What the consumer must read for the calls of `seed`, flush tokens numbered from 1. */
function expected(seed: number, count: number, chunkBytes: number, maxBytes: number): Plain[] {
  let token = 0;
  return generate(seed, count, chunkBytes, maxBytes).flatMap((put) =>
    put.expect(put.flush ? ++token : undefined),
  );
}

describe("the ring (one thread, seeded)", () => {
  for (const seed of [1, 2, 3, 42, 1234, 99_991, 0xdecaf, 7_777_777]) {
    it(`gives back exactly what went in, through commits and rewinds (seed ${seed})`, () => {
      const views = ringViews(allocateRing(RING_BYTES));
      const producer = new RingProducer(views);
      const fuzz = new FuzzConsumer(new RingConsumer(views), prng(seed ^ 0x5bd1e995));
      const chunkBytes = producer.chunkBytes;
      // After a drain the ring is empty, so one call may take most of it.
      const puts = generate(seed, 400, chunkBytes, Math.floor(2.5 * chunkBytes));
      const random = prng(seed + 1);
      const wanted: Plain[] = [];
      let queued = 0;
      for (const put of puts) {
        if (queued + put.words >= views.words) {
          fuzz.drain();
          queued = 0;
        }
        wanted.push(...put.expect(put.call(producer)));
        queued += put.words;
        if (random() < 0.1) {
          fuzz.drain();
          queued = 0;
        }
      }
      fuzz.drain();
      expect(fuzz.out.length).toBe(wanted.length);
      expect(fuzz.out).toEqual(wanted);
      expect(fuzz.rewinds).toBeGreaterThan(0);
      // Every committed flush token is visible to the producer's waiters.
      for (const token of fuzz.flushed) expect(producer.waitFlushed(token, 0)).toBe(true);
      expect(Atomics.load(views.ctrl, Ctrl.TAIL)).toBe(Atomics.load(views.ctrl, Ctrl.HEAD));
    });
  }

  it("chunks exactly the payloads over the boundary, which is a quarter of the ring", () => {
    for (const extra of [-1, 0, 1]) {
      const views = ringViews(allocateRing(RING_BYTES));
      const producer = new RingProducer(views);
      const consumer = new RingConsumer(views);
      expect(producer.chunkBytes).toBe((Math.floor(views.words / 4) - 1) * 8);
      const payload = producer.chunkBytes + extra;
      const text = "y".repeat(payload - 5);
      producer.putConsole(1, text);
      // One OP record (header + payload) up to the boundary, two CHUNK records past it.
      const records = extra <= 0 ? 1 : 2;
      const words = records + Math.ceil(producer.chunkBytes / 8) + (extra > 0 ? 1 : 0);
      expect(Atomics.load(views.ctrl, Ctrl.HEAD)).toBe(
        extra <= 0 ? 1 + Math.ceil(payload / 8) : words,
      );
      consumer.poll();
      expect(consumer.next()).toEqual({ kind: "console", stream: 1, text });
      expect(consumer.next()).toBeUndefined();
    }
  });
});

describe("the ring (producer in a Worker)", () => {
  for (const seed of [5, 314_159, 2_718, 161_803]) {
    it(`gives back what went in with payloads larger than the whole ring (seed ${seed})`, () => {
      const ring = allocateRing(RING_BYTES);
      const views = ringViews(ring);
      const done = new Int32Array(new SharedArrayBuffer(4));
      const chunkBytes = new RingProducer(views).chunkBytes;
      const maxChunks = 5; // 5 chunks: more than the ring holds at once
      const count = 300;
      const worker = new Worker(new URL("./ring-producer-worker.ts", import.meta.url).href);
      const fuzz = new FuzzConsumer(new RingConsumer(views), prng(seed * 31));
      try {
        worker.postMessage({
          ring,
          done: done.buffer as SharedArrayBuffer,
          seed,
          count,
          maxChunks,
        } satisfies ProducerJob);
        const deadline = Date.now() + 60_000;
        for (;;) {
          fuzz.drain();
          const state = Atomics.load(done, 0);
          if (state === 2) throw new Error("the producer Worker failed");
          if (
            state === 1 &&
            Atomics.load(views.ctrl, Ctrl.HEAD) === Atomics.load(views.ctrl, Ctrl.TAIL)
          )
            break;
          if (Date.now() > deadline) throw new Error("the producer did not finish in 60 s");
          Atomics.wait(views.ctrl, Ctrl.HEAD, Atomics.load(views.ctrl, Ctrl.HEAD), 5);
        }
      } finally {
        worker.terminate();
      }
      const wanted = expected(seed, count, chunkBytes, Math.floor(maxChunks * chunkBytes));
      expect(fuzz.out.length).toBe(wanted.length);
      expect(fuzz.out).toEqual(wanted);
    }, 90_000);
  }
});
