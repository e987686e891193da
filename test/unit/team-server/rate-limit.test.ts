/** The per-key token bucket of `goodseed server`, on an injected clock. */

import { describe, expect, it } from "bun:test";
import { RateLimiter } from "../../../src/team-server/rate-limit.ts";

function clocked(ratePerS: number, options: { burst?: number; maxKeys?: number } = {}) {
  let now = 0;
  const limiter = new RateLimiter({ ratePerS, nowMs: () => now, ...options });
  return {
    limiter,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe("RateLimiter", () => {
  it("lets one second's worth through at once, then refuses with the seconds until a token is back", () => {
    const { limiter } = clocked(10);
    for (let i = 0; i < 10; i++) expect(limiter.take("k").allowed).toBe(true);
    expect(limiter.take("k")).toEqual({ allowed: false, retryAfterS: 1 });
  });

  it("refills at the rate, so that waiting Retry-After finds a token", () => {
    const { limiter, advance } = clocked(0.25);
    expect(limiter.take("k").allowed).toBe(true);
    const refused = limiter.take("k");
    expect(refused).toEqual({ allowed: false, retryAfterS: 4 });
    advance(3_000);
    expect(limiter.take("k")).toEqual({ allowed: false, retryAfterS: 1 });
    advance(1_000);
    expect(limiter.take("k").allowed).toBe(true);
    expect(limiter.take("k").allowed).toBe(false);
  });

  it("keeps a bucket per key", () => {
    const { limiter } = clocked(1);
    expect(limiter.take(1).allowed).toBe(true);
    expect(limiter.take(1).allowed).toBe(false);
    expect(limiter.take(2).allowed).toBe(true);
  });

  it("never holds more than its burst, however long the key was quiet", () => {
    const { limiter, advance } = clocked(2, { burst: 3 });
    advance(3_600_000);
    for (let i = 0; i < 3; i++) expect(limiter.take("k").allowed).toBe(true);
    expect(limiter.take("k").allowed).toBe(false);
  });

  it("lets everything through at rate 0", () => {
    const { limiter } = clocked(0);
    expect(limiter.enabled).toBe(false);
    for (let i = 0; i < 10_000; i++) expect(limiter.take("k").allowed).toBe(true);
  });

  it("tracks at most maxKeys keys, forgetting the least recently seen", () => {
    const { limiter } = clocked(1, { maxKeys: 2 });
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("b").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    // "b" is now the least recently seen: a third key pushes it out, and it starts full.
    expect(limiter.take("c").allowed).toBe(true);
    expect(limiter.take("b").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(true);
  });

  it("refuses a rate that is not a finite number of at least 0", () => {
    expect(() => new RateLimiter({ ratePerS: -1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerS: Number.NaN })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerS: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});
