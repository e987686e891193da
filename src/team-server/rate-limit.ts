/**
 * A request rate limit per API key: a token bucket for each key that refills at
 * `ratePerS` tokens a second and holds at most `burst`, so that one runaway script
 * cannot take the server from a whole team. A request that finds its bucket empty is
 * refused with the seconds until a token is back (429 + Retry-After). The buckets
 * live in this process: N servers behind a load balancer let a key through N times.
 */

/**
 * Requests a second per key unless told otherwise: far above what a team's uploaders
 * make (8 uploaders sending 5,000-point batches as fast as they can make ~150 a second).
 */
export const DEFAULT_RATE_LIMIT = 1000;

export interface RateLimitOptions {
  /** Requests a second per key, on average; 0 turns the limit off. */
  readonly ratePerS: number;
  /** Requests a key may make at once after a quiet spell. @default max(1, ratePerS) (one second's worth) */
  readonly burst?: number;
  /** Keys tracked at most; the least recently seen beyond it are forgotten (and start full again). @default 10000 */
  readonly maxKeys?: number;
  /** The clock, in milliseconds. @default performance.now */
  readonly nowMs?: () => number;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterS: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

const ALLOWED: RateDecision = { allowed: true };

export class RateLimiter {
  readonly ratePerS: number;
  readonly burst: number;
  readonly #maxKeys: number;
  readonly #nowMs: () => number;
  /** Key → bucket, least recently used first. */
  readonly #buckets = new Map<string | number, Bucket>();

  constructor(options: RateLimitOptions) {
    if (!(options.ratePerS >= 0) || !Number.isFinite(options.ratePerS))
      throw new RangeError(`the rate limit must be a finite number >= 0, not ${options.ratePerS}`);
    this.ratePerS = options.ratePerS;
    this.burst = options.burst ?? Math.max(1, options.ratePerS);
    if (!(this.burst >= 1)) throw new RangeError(`the burst must be at least 1, not ${this.burst}`);
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#nowMs = options.nowMs ?? (() => performance.now());
  }

  /** Whether the limit is on. */
  get enabled(): boolean {
    return this.ratePerS > 0;
  }

  /** Takes one token from `key`'s bucket, or says how long until there is one. */
  take(key: string | number): RateDecision {
    if (!this.enabled) return ALLOWED;
    const now = this.#nowMs();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, atMs: now };
    } else {
      this.#buckets.delete(key);
      const refill = (Math.max(0, now - bucket.atMs) / 1000) * this.ratePerS;
      bucket.tokens = Math.min(this.burst, bucket.tokens + refill);
      bucket.atMs = now;
    }
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys)
      this.#buckets.delete(this.#buckets.keys().next().value as string | number);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    // Whole seconds, as Retry-After says them, rounded up so that a client that waits
    // that long finds a token.
    const waitS = (1 - bucket.tokens) / this.ratePerS;
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(waitS)) };
  }
}
