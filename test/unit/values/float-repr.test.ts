import { describe, expect, it } from "bun:test";
import { pythonFloatRepr } from "../../../src/values/float-repr.ts";

describe("pythonFloatRepr", () => {
  it("writes what Python's repr(float) writes", () => {
    // Each pair is [value, repr(value)] as printed by CPython 3.
    const cases: [number, string][] = [
      [0.1, "0.1"],
      [1, "1.0"],
      [-2.5, "-2.5"],
      [1 / 3, "0.3333333333333333"],
      [0.0001, "0.0001"],
      [0.00001, "1e-05"],
      [1.5e-7, "1.5e-07"],
      [123456789012345.6, "123456789012345.6"],
      [1e15, "1000000000000000.0"],
      [1e16, "1e+16"],
      [1.2345e16, "1.2345e+16"],
      [2 ** 53, "9007199254740992.0"],
      [1e300, "1e+300"],
      [5e-324, "5e-324"],
      [Number.MAX_VALUE, "1.7976931348623157e+308"],
    ];
    for (const [value, text] of cases)
      expect([value, pythonFloatRepr(value)]).toEqual([value, text]);
  });

  it("spells zeros, NaN and the infinities as Python does", () => {
    expect(pythonFloatRepr(0)).toBe("0.0");
    expect(pythonFloatRepr(-0)).toBe("-0.0");
    expect(pythonFloatRepr(Number.NaN)).toBe("nan");
    expect(pythonFloatRepr(Number.POSITIVE_INFINITY)).toBe("inf");
    expect(pythonFloatRepr(Number.NEGATIVE_INFINITY)).toBe("-inf");
  });

  it("round-trips every value through its text", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 10_000; i++) {
      const value = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      expect(Number(pythonFloatRepr(value))).toBe(value);
    }
  });
});
