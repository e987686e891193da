/**
 * The summary Worker: reads the summaries of settled run files for the catalog, so
 * that a cold run list of thousands of files is read on two threads. A file it
 * cannot read is left out of the answer; the catalog reads it again itself, and warns.
 */

import { openImmutable } from "../storage/connection-pool.ts";
import { readSummary } from "./run-summary.ts";
import type { SummaryReply, SummaryRequest } from "./summary-protocol.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<SummaryRequest>) => {
  const reply: SummaryReply = { id: event.data.id, read: [] };
  for (const run of event.data.runs) {
    try {
      const db = openImmutable(run.file);
      try {
        reply.read.push({
          file: run.file,
          key: run.key,
          summary: readSummary(db, run.project, run.stem),
        });
      } finally {
        db.close();
      }
    } catch {
      // Left to the catalog.
    }
  }
  self.postMessage(reply);
};
