import { describe, expect, it } from "bun:test";
import { ByteLru, ENTRY_OVERHEAD_BYTES, stringBytes } from "../../src/cache/byte-lru.ts";

const entry = (text: string) => stringBytes(text) + ENTRY_OVERHEAD_BYTES;

describe("ByteLru", () => {
  it("accounts every entry and drops the least recently used past its bound", () => {
    const cache = new ByteLru<string, string>(3 * entry("x".repeat(100)), (_key, v) =>
      stringBytes(v),
    );
    cache.set("a", "x".repeat(100));
    cache.set("b", "x".repeat(100));
    cache.set("c", "x".repeat(100));
    expect(cache.stats).toEqual({
      bytes: 3 * entry("x".repeat(100)),
      maxBytes: cache.stats.maxBytes,
      entries: 3,
    });
    expect(cache.get("a")).toBe("x".repeat(100));
    cache.set("d", "x".repeat(100));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.stats.entries).toBe(3);
  });

  it("replaces a key's value with its new size, and never keeps an entry larger than the bound", () => {
    const cache = new ByteLru<string, string>(
      1000,
      (key, value) => stringBytes(key) + stringBytes(value),
    );
    cache.set("k", "short");
    cache.set("k", "x".repeat(200));
    expect(cache.stats.bytes).toBe(stringBytes("k") + 400 + ENTRY_OVERHEAD_BYTES);
    cache.set("huge", "x".repeat(2000));
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("k")).toBe("x".repeat(200));
    cache.delete("k");
    expect(cache.stats).toEqual({ bytes: 0, maxBytes: 1000, entries: 0 });
  });

  it("holds its bound over many random keys (seeded)", () => {
    const cache = new ByteLru<string, number>(10_000, (key) => stringBytes(key) + 8);
    let seed = 42;
    let most = 0;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      cache.set("k".repeat(seed % 300) + i, i);
      most = Math.max(most, cache.stats.bytes);
    }
    expect(most).toBeLessThanOrEqual(10_000);
    expect(cache.stats.entries).toBeGreaterThan(5);
  });
});
