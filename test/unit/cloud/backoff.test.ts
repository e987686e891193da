import { describe, expect, it } from "bun:test";
import { backoffMs } from "../../../src/cloud/api-client.ts";

describe("backoffMs", () => {
  it("waits between half and all of a ceiling that doubles from the base", () => {
    for (let attempt = 0; attempt <= 6; attempt++) {
      const ceiling = 500 * 2 ** attempt;
      for (let i = 0; i < 200; i++) {
        const wait = backoffMs(attempt);
        expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
        expect(wait).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it("stops growing at the cap, however many attempts failed", () => {
    // 500 ms · 2^7 passes the cap of a minute.
    for (const attempt of [7, 20, 1000]) {
      const wait = backoffMs(attempt, 60_000);
      expect(wait).toBeGreaterThanOrEqual(30_000);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
  });

  it("starts from the base a test sets", () => {
    expect(backoffMs(0, 60_000, 10)).toBeLessThanOrEqual(10);
    expect(backoffMs(3, 60_000, 10)).toBeLessThanOrEqual(80);
    expect(backoffMs(3, 60_000, 10)).toBeGreaterThanOrEqual(40);
  });
});
