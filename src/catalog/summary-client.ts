/**
 * Reads many run summaries at once. The runs wait in one queue: the calling thread
 * takes them from the front in time slices, and the summary Worker (started on
 * first use, settled files only) takes batches from the back, so that the work
 * divides itself by how fast each goes.
 */

import { RequestWorker } from "../workers/request-worker.ts";
import type { RunFile } from "./run-file.ts";
import type { RunSummary } from "./run-summary.ts";
import type { SummaryReply, SummaryRequest } from "./summary-protocol.ts";

/** From this many unread settled files on, the summary Worker helps read them. */
const OFFLOAD_FROM = 200;
/** Files per request to the summary Worker: a few milliseconds of reading. */
const BATCH = 32;
const BATCHES_AHEAD = 3;

const summaryWorker = new RequestWorker<SummaryRequest, SummaryReply>(
  new URL("./summary-worker.ts", import.meta.url).href,
  "summary Worker",
);

/** What the reader needs of the catalog whose summaries it reads. */
export interface SummaryStore {
  readonly closed: boolean;
  hasSummary(run: RunFile): boolean;
  /** The summary of `run`, read on this thread if it is not at hand. */
  summary(run: RunFile): RunSummary | undefined;
  /** Keeps a summary the Worker read of version `key` of `file`. */
  store(file: string, key: string, summary: RunSummary): void;
}

export class SummaryReader {
  readonly #catalog: SummaryStore;
  /** Runs waiting for their summaries to be read. */
  #queue: RunFile[] = [];
  /** Where the front of {@link #queue} is: taken entries before it are dropped in bulk. */
  #head = 0;
  readonly #queued = new Set<string>();
  /**
   * The batches the Worker has been given, each settled when its answer is stored.
   * A few are kept in hand so that it never waits for this thread to send the next.
   */
  readonly #workerBatches = new Set<Promise<void>>();

  constructor(catalog: SummaryStore) {
    this.#catalog = catalog;
  }

  async summaries(runs: readonly RunFile[], sliceMs: number): Promise<(RunSummary | undefined)[]> {
    for (const run of runs) {
      if (this.#catalog.hasSummary(run) || this.#queued.has(run.file)) continue;
      this.#queue.push(run);
      this.#queued.add(run.file);
    }
    if (this.#queue.length - this.#head >= OFFLOAD_FROM) this.#feedWorker();
    let sliceStart = performance.now();
    for (;;) {
      if (performance.now() - sliceStart > sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const run = this.#takeFront();
      if (!run || this.#catalog.closed) break;
      this.#queued.delete(run.file);
      this.#catalog.summary(run);
    }
    while (this.#workerBatches.size > 0) await Promise.all(this.#workerBatches);
    // What the Worker could not read is read (and warned about) here.
    return runs.map((run) => this.#catalog.summary(run));
  }

  #takeFront(): RunFile | undefined {
    if (this.#head >= this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      return undefined;
    }
    const run = this.#queue[this.#head++] as RunFile;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return run;
  }

  /** Keeps the Worker supplied with batches of settled files while the queue lasts. */
  #feedWorker(): void {
    while (this.#workerBatches.size < BATCHES_AHEAD && !this.#catalog.closed && this.#feedOne());
  }

  /** Hands the Worker one batch; false when the queue holds no settled file. */
  #feedOne(): boolean {
    const batch: RunFile[] = [];
    const rest: RunFile[] = [];
    // From the back of the queue, so that this thread and the Worker meet in the middle.
    while (batch.length < BATCH && this.#queue.length > this.#head) {
      const run = this.#queue.pop() as RunFile;
      (run.version.settled ? batch : rest).push(run);
    }
    this.#queue.push(...rest.reverse());
    if (batch.length === 0) return false;
    const runs = batch.map((run) => ({
      file: run.file,
      project: run.project,
      stem: run.stem,
      key: run.version.key,
    }));
    const done: Promise<void> = summaryWorker
      .request({ runs })
      .then((reply) => {
        for (const { file, key, summary } of reply.read) this.#catalog.store(file, key, summary);
      })
      .catch(() => undefined)
      .finally(() => {
        for (const run of batch) this.#queued.delete(run.file);
        this.#workerBatches.delete(done);
        this.#feedWorker();
      });
    this.#workerBatches.add(done);
    return true;
  }
}
