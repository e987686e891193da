/**
 * How much room the sink grants the producer in the ring: what it commits, at its
 * measured rate, within a share of the commit window, so that a point `run.log`
 * accepted is committed within the window however slow the disk is.
 */

import { FIRST_LIMIT_WORDS } from "../queue/layout.ts";

/**
 * The promise to the caller: a point `run.log` accepted is committed within this long.
 * The ring may hold only what this sink commits in a share of it, at its measured rate.
 */
const COMMIT_WINDOW_MS = 1000;
const QUEUE_SHARE_OF_WINDOW = 0.4;
/** Time constants of the commit rate's moving average, for a falling and a rising rate. */
const RATE_HORIZON_DOWN_MS = 300;
const RATE_HORIZON_UP_MS = 1000;
/** The least room granted to the producer, in words. */
const MIN_LIMIT_WORDS = 3 * 8192;
const FIRST_RATE_WORDS_PER_MS = FIRST_LIMIT_WORDS / (COMMIT_WINDOW_MS * QUEUE_SHARE_OF_WINDOW);

export class CommitPacer {
  readonly #grant: (words: number) => void;
  /** Commit rate while saturated (words per ms), and whether the ring stayed non-empty since the last commit. */
  #rateWordsPerMs = FIRST_RATE_WORDS_PER_MS;
  #lastCommitAt = -1;
  #saturated = false;

  /** @param grant gives the producer room for this many words (the ring's `grant`) */
  constructor(grant: (words: number) => void) {
    this.#grant = grant;
    this.#publishLimit();
  }

  /** The ring ran empty and the producer does not wait: the sink kept up, this stretch measures nothing. */
  idle(): void {
    this.#saturated = false;
  }

  /**
   * Updates the commit rate from a commit of `words` that ends a saturated stretch, and
   * grants the producer the room that this rate commits within its share of the window.
   */
  committed(words: number): void {
    const at = performance.now();
    if (this.#saturated && this.#lastCommitAt >= 0 && words > 0) {
      const elapsed = Math.max(at - this.#lastCommitAt, 0.001);
      const sample = words / elapsed;
      // Weighted by the time each sample covers (a stall counts for its whole length), and
      // a slowdown believed sooner than a speedup: the window is the promise.
      const horizon = sample < this.#rateWordsPerMs ? RATE_HORIZON_DOWN_MS : RATE_HORIZON_UP_MS;
      const weight = 1 - Math.exp(-elapsed / horizon);
      this.#rateWordsPerMs += weight * (sample - this.#rateWordsPerMs);
      this.#publishLimit();
    }
    this.#lastCommitAt = at;
    this.#saturated = true;
  }

  #publishLimit(): void {
    const words = this.#rateWordsPerMs * COMMIT_WINDOW_MS * QUEUE_SHARE_OF_WINDOW;
    this.#grant(Math.max(MIN_LIMIT_WORDS, words));
  }
}
