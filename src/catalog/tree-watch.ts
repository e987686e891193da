/**
 * A recursive watcher of the served directory that says which run files changed, so
 * that a request re-stats only those instead of walking the tree (a full walk stats
 * 10,000 paths for 5,000 runs). Where watching is not available it says so, and the
 * catalog walks on every request.
 */

import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { statOrUndefined } from "./quiet-stat.ts";

/** What changed since the last {@link TreeWatch.take}. */
export interface TreeChanges {
  /** Something other than a run file changed (a directory, a file of another kind): walk again. */
  readonly rewalk: boolean;
  /** Run files (`*.sqlite`, for changes of their -wal, -shm or -journal too) that changed. */
  readonly dirty: ReadonlySet<string>;
}

export class TreeWatch {
  readonly #root: string;
  readonly #onChange: () => void;
  #watcher: FSWatcher | undefined;
  #watching = false;
  #dirty = new Set<string>();
  #rewalk = true;

  /** @param onChange called on every event the watcher reports */
  constructor(root: string, onChange: () => void) {
    this.#root = root;
    this.#onChange = onChange;
  }

  /** Whether a watcher reports changes now. */
  get watching(): boolean {
    return this.#watching;
  }

  /** Starts watching, if not yet and the root is a directory; from then on, all is to be walked once. */
  start(): void {
    if (this.#watcher || !statOrUndefined(this.#root)?.isDirectory()) return;
    try {
      this.#watcher = watch(this.#root, { recursive: true }, (_event, name) => this.#onEvent(name));
      this.#watcher.on("error", () => this.stop());
      this.#watcher.unref();
      this.#watching = true;
      this.#rewalk = true;
    } catch {
      this.#watching = false;
    }
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watching = false;
  }

  /** Counts `file` as changed (after the server itself wrote to it). */
  markDirty(file: string): void {
    this.#dirty.add(file);
  }

  /** The changes seen since the last call, which are forgotten. */
  take(): TreeChanges {
    const changes = { rewalk: this.#rewalk, dirty: this.#dirty };
    this.#rewalk = false;
    this.#dirty = new Set();
    return changes;
  }

  #onEvent(name: string | Buffer | null): void {
    this.#onChange();
    const relative = name === null ? "" : String(name);
    let target = relative;
    for (const suffix of ["-wal", "-shm", "-journal"]) {
      if (target.endsWith(suffix)) target = target.slice(0, -suffix.length);
    }
    if (target.endsWith(".sqlite")) this.#dirty.add(join(this.#root, target));
    else this.#rewalk = true;
  }
}
