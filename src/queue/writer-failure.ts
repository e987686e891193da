/**
 * The persistent failure that the Worker reports in the ring's control cells (a full
 * disk, an unwritable file), as the error the producer throws once it has lasted a
 * grace period, so that a hiccup the Worker retries through does not fail the run.
 */

import { StorageError } from "../errors.ts";
import { Ctrl, Failure } from "./layout.ts";

/** How long a persistent failure reported by the Worker (a full disk) may last before logging throws. */
const FAILURE_GRACE_MS = 2_000;

function failureError(failure: number): StorageError {
  return failure === Failure.DISK_FULL
    ? new StorageError(
        "The disk holding the run file is full: the writer cannot commit. Points logged since its last commit (at most about a second) are not saved; everything committed before is safe in the file. Free some space, then resume the run.",
      )
    : new StorageError(
        "The run file cannot be written (an I/O error, or the file became read-only or vanished). Points logged since the writer's last commit are not saved; what was committed before is in the file.",
      );
}

export class WriterFailure {
  readonly #ctrl: Int32Array;
  /** Since when the Worker has reported a persistent failure (Date.now()). */
  #failingSince: number | undefined;

  constructor(ctrl: Int32Array) {
    this.#ctrl = ctrl;
  }

  /** The persistent failure the Worker reports now, as the error logging would throw. */
  get current(): StorageError | undefined {
    const failure = Atomics.load(this.#ctrl, Ctrl.FAILURE);
    return failure === Failure.NONE ? undefined : failureError(failure);
  }

  /** Throws once the Worker has reported a persistent failure for the grace period. */
  check(): void {
    const failure = Atomics.load(this.#ctrl, Ctrl.FAILURE);
    if (failure === Failure.NONE) {
      this.#failingSince = undefined;
      return;
    }
    const now = Date.now();
    this.#failingSince ??= now;
    if (now - this.#failingSince >= FAILURE_GRACE_MS) {
      Atomics.store(this.#ctrl, Ctrl.WAITING, 0);
      throw failureError(failure);
    }
  }
}
