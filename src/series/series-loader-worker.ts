/**
 * The series loader Worker: reads a step range of a run file, or decodes every series
 * of a settled one from its pages, and sends the columns back.
 */

import { openImmutable, openLive } from "../storage/connection-pool.ts";
import { readRange } from "./range-read.ts";
import type { LoadReply, LoadRequest, SeriesColumns } from "./series-loader-protocol.ts";
import { decodeSettledTable } from "./settled-table.ts";

declare const self: Worker;

const buffers = (columns: SeriesColumns): ArrayBuffer[] =>
  [columns.steps.buffer, columns.ys.buffer, columns.ts.buffer] as ArrayBuffer[];

self.onmessage = (event: MessageEvent<LoadRequest>) => {
  const request = event.data;
  const { id, file } = request;
  try {
    const db = request.table || !request.live ? openImmutable(file) : openLive(file);
    try {
      if (request.table) {
        const all = decodeSettledTable(db, file);
        if (!all) {
          self.postMessage({ id } satisfies LoadReply);
          return;
        }
        const ids = [...all.keys()];
        const columns = [...all.values()];
        self.postMessage({ id, table: { ids, columns } } satisfies LoadReply, {
          transfer: columns.flatMap(buffers),
        });
        return;
      }
      const range = readRange(db, request.seriesId, request.low, request.high);
      self.postMessage({ id, range } satisfies LoadReply, { transfer: buffers(range) });
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
