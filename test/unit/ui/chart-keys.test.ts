import { describe, expect, it } from "bun:test";
import { keyZoom } from "../../../src/ui/chart-keys.ts";
import { pointsFor } from "../../../src/ui/chart-traces.ts";

describe("keyZoom", () => {
  it("halves the range on +, doubles it on -, pans a quarter on the arrows, resets on 0", () => {
    expect(keyZoom("+", 0, 100)).toEqual({ from: 25, to: 75 });
    expect(keyZoom("=", 0, 100)).toEqual({ from: 25, to: 75 });
    expect(keyZoom("-", 0, 100)).toEqual({ from: -50, to: 150 });
    expect(keyZoom("ArrowLeft", 0, 100)).toEqual({ from: -25, to: 75 });
    expect(keyZoom("ArrowRight", 0, 100)).toEqual({ from: 25, to: 125 });
    expect(keyZoom("0", 0, 100)).toBe("reset");
    expect(keyZoom("Escape", 0, 100)).toBe("reset");
    expect(keyZoom("a", 0, 100)).toBeUndefined();
  });

  it("never zooms in narrower than the axis's minimum, and does nothing once there", () => {
    // A step axis stops at 4 steps: 6 steps halve to 4 about the middle, not to 3.
    expect(keyZoom("+", 100, 106, 4)).toEqual({ from: 101, to: 105 });
    expect(keyZoom("+", 101, 105, 4)).toBeUndefined();
    expect(keyZoom("=", 0.5, 1.5, 4)).toBeUndefined();
    // Wider ranges halve as before; out and panning are not limited.
    expect(keyZoom("+", 0, 100, 4)).toEqual({ from: 25, to: 75 });
    expect(keyZoom("-", 101, 105, 4)).toEqual({ from: 99, to: 107 });
    expect(keyZoom("ArrowRight", 101, 105, 4)).toEqual({ from: 102, to: 106 });
  });
});

describe("pointsFor", () => {
  it("asks for a point per pixel for a few lines, fewer for many, more for a zoom, within bounds", () => {
    expect(pointsFor(1346, 1)).toBe(1346);
    expect(pointsFor(1346, 4)).toBe(1346);
    expect(pointsFor(1000, 10)).toBe(750);
    expect(pointsFor(1000, 30)).toBe(500);
    expect(pointsFor(100, 1)).toBe(200);
    expect(pointsFor(10_000, 1)).toBe(4000);
    expect(pointsFor(1000, 2, true)).toBe(1500);
    expect(pointsFor(1000, 8, true)).toBe(1000);
  });
});
