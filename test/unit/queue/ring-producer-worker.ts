/** The producer side of the two-thread ring fuzz test: makes the seeded calls, then says so. */

import { ringViews } from "../../../src/queue/layout.ts";
import { RingProducer } from "../../../src/queue/ring-producer.ts";
import { generate } from "./ring-fuzz.ts";

declare const self: Worker;

export interface ProducerJob {
  readonly ring: SharedArrayBuffer;
  /** Int32 cell set to 1 when every call is made (2 if one threw). */
  readonly done: SharedArrayBuffer;
  readonly seed: number;
  readonly count: number;
  /** Largest payload, in chunk sizes. */
  readonly maxChunks: number;
}

self.onmessage = (event: MessageEvent<ProducerJob>) => {
  const job = event.data;
  const done = new Int32Array(job.done);
  try {
    const producer = new RingProducer(ringViews(job.ring));
    const puts = generate(
      job.seed,
      job.count,
      producer.chunkBytes,
      Math.floor(job.maxChunks * producer.chunkBytes),
    );
    for (const put of puts) put.call(producer);
    Atomics.store(done, 0, 1);
  } catch (error) {
    Atomics.store(done, 0, 2);
    self.postMessage(String(error));
  }
  Atomics.notify(done, 0);
};
