/** Reads run summaries on the summary Worker, started on first use. */

import type { SummaryReply, SummaryRequest } from "./summary-protocol.ts";

let summaryWorker: Worker | undefined;
let nextRequest = 1;
const waiting = new Map<
  number,
  { resolve(reply: SummaryReply): void; reject(error: Error): void }
>();

export function readOnWorker(runs: SummaryRequest["runs"]): Promise<SummaryReply> {
  if (!summaryWorker) {
    const worker = new Worker(new URL("./summary-worker.ts", import.meta.url).href);
    worker.unref();
    worker.onmessage = (event: MessageEvent<SummaryReply>) => {
      waiting.get(event.data.id)?.resolve(event.data);
      waiting.delete(event.data.id);
    };
    worker.onerror = () => {
      for (const pending of waiting.values())
        pending.reject(new Error("the summary Worker stopped"));
      waiting.clear();
      summaryWorker = undefined;
    };
    summaryWorker = worker;
  }
  const id = nextRequest++;
  const reply = new Promise<SummaryReply>((resolve, reject) =>
    waiting.set(id, { resolve, reject }),
  );
  summaryWorker.postMessage({ id, runs } satisfies SummaryRequest);
  return reply;
}
