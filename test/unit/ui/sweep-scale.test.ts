import { describe, expect, it } from "bun:test";
import { leftOutNote, scatterScale } from "../../../src/ui/sweep-scale.ts";

describe("scatterScale", () => {
  it("draws numbers linear unless log is asked for", () => {
    const scale = scatterScale("lr", [1e-7, 0.3], false);
    expect(scale.axis?.kind).toBe("linear");
    expect(scale.log).toBe(false);
    expect(scale.logOffered).toBe(true);
  });

  it("gives positive numbers a log axis over their range", () => {
    const scale = scatterScale("lr", [1e-7, 1e-3, 0.3, undefined], true);
    expect(scale.axis).toEqual({
      key: "lr",
      kind: "log",
      min: 1e-7,
      max: 0.3,
      values: [1e-7, 1e-3, 0.3],
    });
    expect(scale.leftOut).toEqual([false, false, false, false]);
  });

  it("leaves out the values of 0 or below from a log axis, and says which", () => {
    const scale = scatterScale("seed", [0, 1, 2, 0, -1], true);
    expect(scale.axis).toEqual({ key: "seed", kind: "log", min: 1, max: 2, values: [1, 2] });
    expect(scale.leftOut).toEqual([true, false, false, true, true]);
  });

  it("offers no log scale for text or true/false, and draws their categories", () => {
    for (const values of [
      ["sgd", "adam"],
      [true, false],
    ]) {
      const scale = scatterScale("key", values, true);
      expect(scale.logOffered).toBe(false);
      expect(scale.log).toBe(false);
      expect(scale.axis?.kind).toBe("category");
      expect(scale.leftOut.some(Boolean)).toBe(false);
    }
  });

  it("keeps log on offer while no value is known yet, and leaves nothing out", () => {
    const scale = scatterScale("val/loss", [undefined, undefined], true);
    expect(scale.logOffered).toBe(true);
    expect(scale.axis).toBeDefined();
    expect(scale.leftOut).toEqual([false, false]);
  });

  it("has no axis when log is asked for and no value is above 0", () => {
    const scale = scatterScale("shift", [0, -1, -2], true);
    expect(scale.axis).toBeUndefined();
    expect(scale.logOffered).toBe(true);
  });
});

describe("leftOutNote", () => {
  it("counts each run left out once, whichever axis left it out", () => {
    const x = scatterScale("seed", [0, 1, 2, 0], true);
    const y = scatterScale("val/loss", [0.5, -1, 0.2, 0.1], true);
    expect(
      leftOutNote(
        [
          { name: "log x", key: "seed", scale: x },
          { name: "log y", key: "val/loss", scale: y },
        ],
        4,
      ),
    ).toBe(
      "3 of 4 runs left out: a log scale needs positive numbers, and their seed or val/loss is 0 or below.",
    );
  });

  it("says nothing when no run is left out", () => {
    const x = scatterScale("lr", [0.1, 0.2], true);
    expect(leftOutNote([{ name: "log x", key: "lr", scale: x }], 2)).toBe("");
  });

  it("says why nothing is drawn when no value is above 0", () => {
    const x = scatterScale("shift", [0, -1], true);
    expect(leftOutNote([{ name: "log x", key: "shift", scale: x }], 2)).toBe(
      "A log scale needs positive numbers: no run has shift above 0. Turn log x off to see them.",
    );
  });
});
