/** A Worker for the WorkerHandle tests: answers each number with itself and its thread, dies on "die". */

import { threadId } from "node:worker_threads";

declare const self: Worker;

self.onmessage = (event: MessageEvent<number | "die">) => {
  if (event.data === "die") throw new Error("told to die");
  self.postMessage({ value: event.data, thread: threadId });
};
