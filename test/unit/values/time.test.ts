import { describe, expect, it } from "bun:test";
import {
  isoFromDate,
  isoFromMicros,
  isoFromSeconds,
  parseIsoDate,
} from "../../../src/values/time.ts";

describe("ISO times", () => {
  it("write Python's isoformat() of an aware UTC datetime", () => {
    expect(isoFromMicros(1_700_000_000_123_456)).toBe("2023-11-14T22:13:20.123456+00:00");
    expect(isoFromMicros(1_700_000_000_000_000)).toBe("2023-11-14T22:13:20+00:00");
    expect(isoFromMicros(1_700_000_000_000_001)).toBe("2023-11-14T22:13:20.000001+00:00");
    // Before 1970 the fraction still counts forward within its second.
    expect(isoFromMicros(-1)).toBe("1969-12-31T23:59:59.999999+00:00");
    expect(isoFromSeconds(0)).toBe("1970-01-01T00:00:00+00:00");
    expect(isoFromDate(new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5)))).toBe(
      "2024-02-29T12:00:00.005000+00:00",
    );
  });

  it("parse naive values as UTC, offsets, Z, and a space for the T", () => {
    const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    expect(parseIsoDate("2024-01-02T03:04:05.678")?.getTime()).toBe(at);
    expect(parseIsoDate("2024-01-02T03:04:05.678901+00:00")?.getTime()).toBe(at);
    expect(parseIsoDate("2024-01-02 03:04:05.678Z")?.getTime()).toBe(at);
    expect(parseIsoDate("2024-01-02T05:04:05.678+02:00")?.getTime()).toBe(at);
    expect(parseIsoDate("2024-01-01T22:34:05.678-04:30")?.getTime()).toBe(at);
    expect(parseIsoDate("2024-01-02T03:04")?.getTime()).toBe(Date.UTC(2024, 0, 2, 3, 4));
  });

  it("refuse text that is not ISO", () => {
    expect(parseIsoDate("yesterday")).toBeUndefined();
    expect(parseIsoDate("2024-01-02")).toBeUndefined();
    expect(parseIsoDate("")).toBeUndefined();
  });
});
