import { describe, expect, it } from "bun:test";
import { leftOutNotice, MAX_COMPARED, withAdded } from "../../../src/ui/compare-limit.ts";

const keys = (n: number, prefix = "p:r") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("how many runs one click adds to the comparison", () => {
  it("adds every run while there is room, after the ones already compared", () => {
    expect(withAdded(["p:a"], ["p:b", "p:a", "p:c"], 5)).toEqual({
      selected: ["p:a", "p:b", "p:c"],
      left: 0,
    });
  });

  it("adds runs in the order given up to the limit and says how many it left out", () => {
    const { selected, left } = withAdded(keys(3, "p:old"), keys(10), 8);
    expect(selected).toEqual([...keys(3, "p:old"), ...keys(5)]);
    expect(left).toBe(5);
  });

  it("never drops runs already compared, even past the limit", () => {
    expect(withAdded(keys(4), ["p:x"], 3)).toEqual({ selected: keys(4), left: 1 });
  });

  it("holds 100 runs by default, and says so", () => {
    const { selected, left } = withAdded([], keys(5000));
    expect(selected.length).toBe(MAX_COMPARED);
    expect(MAX_COMPARED).toBe(100);
    expect(left).toBe(4900);
    expect(leftOutNotice(100, 4900)).toContain("left 4,900 out");
  });
});
