/**
 * What a `Run` is a front for: a session that is disabled (writes are no-ops, reads
 * throw), read-only (a local file or a remote run) or writable (a local file, uploaded
 * too for a cloud run). Each ends through its own `end`, idempotently.
 */

import type { RunReads } from "../storage/run-reads.ts";
import { checkStatus, type Endable, type Ending } from "./ending.ts";
import type { WriteSession } from "./write-session.ts";

export type RunSession = DisabledSession | ReadSession | WriteSession;

/** `storage: "disabled"`: nothing is stored. */
export class DisabledSession implements Endable {
  readonly kind = "disabled";
  #ended = false;

  get ended(): boolean {
    return this.#ended;
  }

  end(ending: Ending): Promise<void> {
    if (!this.#ended) checkStatus(ending.status);
    this.#ended = true;
    return Promise.resolve();
  }
}

/** `readOnly: true`: an existing run, read from its file or through the remote API. */
export class ReadSession implements Endable {
  readonly kind = "read";
  readonly where: "local" | "cloud";
  readonly reads: RunReads;
  /** The run file of a local run. */
  readonly file: string | undefined;
  #ended = false;

  constructor(where: "local" | "cloud", reads: RunReads, file: string | undefined) {
    this.where = where;
    this.reads = reads;
    this.file = file;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** A read-only run keeps no status: ending lets go of its connection. */
  end(ending: Ending): Promise<void> {
    if (!this.#ended) checkStatus(ending.status);
    this.#ended = true;
    this.reads.release();
    return Promise.resolve();
  }
}
