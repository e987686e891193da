/** The series loader Worker: reads a step range of a run file and sends the columns back. */

import { openImmutable, openLive } from "../storage/connection-pool.ts";
import { readRange } from "./range-read.ts";
import type { LoadReply, LoadRequest } from "./series-loader-protocol.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<LoadRequest>) => {
  const { id, file, seriesId, low, high, live } = event.data;
  try {
    const db = live ? openLive(file) : openImmutable(file);
    try {
      const range = readRange(db, seriesId, low, high);
      self.postMessage({ id, range } satisfies LoadReply, {
        transfer: [range.steps.buffer, range.ys.buffer, range.ts.buffer] as ArrayBuffer[],
      });
    } finally {
      db.close();
    }
  } catch (error) {
    self.postMessage({
      id,
      error: error instanceof Error ? error.message : String(error),
    } satisfies LoadReply);
  }
};
