import { describe, expect, it } from "bun:test";
import {
  bucketSpacing,
  placeNote,
  pointPlace,
  roundX,
  stepNumber,
  xHeading,
} from "../../../src/ui/tip-text.ts";

describe("the hover list's x", () => {
  it("writes every digit of a whole step and keeps a fractional one short", () => {
    expect(stepNumber(1234567)).toBe("1234567");
    expect(stepNumber(2 ** 53)).toBe("9007199254740992");
    expect(stepNumber(0.30000000000000004)).toBe("0.3");
    expect(stepNumber(12.25)).toBe("12.25");
  });

  it("rounds a bucket of whole steps to a whole step, of fine steps to their spacing", () => {
    // Buckets of 32 steps each: the bucket at 12559.5 stands for steps 12544..12575.
    const line = { xs: [12527.5, 12559.5, 12591.5], counts: [32, 32, 32] };
    const spacing = bucketSpacing(line, 1);
    expect(spacing).toBe(1);
    expect(roundX(12559.5, spacing)).toBe(12560);
    expect(xHeading(roundX(12559.5, spacing), "step")).toBe("step 12560");
    // Steps 0.001 apart, 10 a bucket.
    expect(roundX(0.10453, bucketSpacing({ xs: [0.09, 0.1, 0.11], counts: [10, 10, 10] }, 1))).toBe(
      0.105,
    );
    // The cursor between runs: rounded to what a pixel spans (40 steps: tens).
    expect(roundX(12345.6, 40)).toBe(12350);
    // A logged point is exact.
    expect(bucketSpacing({ xs: [1, 2.5, 3], counts: [1, 1, 1] }, 1)).toBeUndefined();
    expect(roundX(2.5, undefined)).toBe(2.5);
  });

  it("says where a line's point is: at the cursor, nearest, ended before, starting after", () => {
    const line = { xs: [0, 100, 200] };
    expect(pointPlace(100, 100, line)).toBe("at");
    expect(pointPlace(100, 130, line)).toBe("near");
    expect(pointPlace(200, 900, line)).toBe("ended");
    expect(pointPlace(0, -5, line)).toBe("before");
    expect(placeNote("ended", 1999, "step", 12560, false)).toBe("ended at 1999");
    expect(placeNote("ended", 1999, "step", 12560, true)).toBe("last at 1999");
    expect(placeNote("near", 1200, "step", 1234, false)).toBe("@ 1200");
    expect(placeNote("before", 40, "relative", 10, false)).toBe("starts at 40s");
    expect(placeNote("at", 5, "step", 5, false)).toBe("");
  });
});
