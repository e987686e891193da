import { describe, expect, it } from "bun:test";
import { InvalidValueError } from "../../../src/errors.ts";
import {
  decodeConfigValue,
  encodeConfigValue,
  parseStringSet,
} from "../../../src/values/config-value.ts";
import { normalizePath } from "../../../src/values/field-path.ts";
import { encodeConfigs } from "../../../src/values/flatten.ts";

describe("encodeConfigValue", () => {
  it("gives every scalar the Python client's tag and text", () => {
    const cases: [unknown, string, string][] = [
      [true, "bool", "true"],
      [false, "bool", "false"],
      [3, "int", "3"],
      [-0, "float", "-0.0"],
      [2 ** 53 - 1, "int", "9007199254740991"],
      [2 ** 53, "float", "9007199254740992.0"],
      [1e300, "float", "1e+300"],
      [0.5, "float", "0.5"],
      [Number.NaN, "float", "nan"],
      [2n ** 70n, "int", "1180591620717411303424"],
      ["text", "str", "text"],
      [null, "null", ""],
      [new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), "datetime", "2024-01-02T03:04:05+00:00"],
      [new Set(["b", "a", 1]), "string_set", '["1", "a", "b"]'],
    ];
    for (const [value, tag, text] of cases)
      expect([value, encodeConfigValue(value, "p")]).toEqual([value, { tag, text }]);
  });

  it("throws an InvalidValueError naming the path for what has no tag", () => {
    for (const value of [undefined, () => 1, Symbol("s"), new Date(Number.NaN), new Set([{}])]) {
      expect(() => encodeConfigValue(value, "model/bad")).toThrow(InvalidValueError);
      expect(() => encodeConfigValue(value, "model/bad")).toThrow("model/bad");
    }
  });
});

describe("decodeConfigValue", () => {
  it("reads each tag back: big integers as bigint, Python's float spellings, sets, dates", () => {
    expect(decodeConfigValue("int", "42")).toBe(42);
    expect(decodeConfigValue("int", "9007199254740993")).toBe(9007199254740993n);
    expect(decodeConfigValue("float", "inf")).toBe(Number.POSITIVE_INFINITY);
    expect(decodeConfigValue("float", "-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(decodeConfigValue("float", "nan")).toBeNaN();
    expect(decodeConfigValue("float", "1e-05")).toBe(0.00001);
    expect(decodeConfigValue("bool", "True")).toBe(true);
    expect(decodeConfigValue("null", "")).toBeNull();
    expect(decodeConfigValue("str", null)).toBeNull();
    expect(decodeConfigValue("string_set", '["a", "b"]')).toEqual(new Set(["a", "b"]));
    expect(decodeConfigValue("datetime", "2024-01-02T03:04:05+00:00")).toEqual(
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    );
    expect(decodeConfigValue("datetime", "not a date")).toBe("not a date");
    expect(decodeConfigValue("some_future_tag", "kept")).toBe("kept");
  });

  it("reads what it wrote", () => {
    for (const value of [true, 7, -1.25, 2n ** 64n, "é", new Set(["x"])]) {
      const { tag, text } = encodeConfigValue(value, "p");
      expect(decodeConfigValue(tag, text)).toEqual(value);
    }
  });

  it("reads a string set that is not a JSON array as empty", () => {
    expect(parseStringSet("{not json")).toEqual(new Set());
    expect(parseStringSet('{"a": 1}')).toEqual(new Set());
  });
});

describe("encodeConfigs", () => {
  it("flattens objects, Maps and arrays into / paths, leaving Sets and Dates as leaves", () => {
    const entries = encodeConfigs(
      { model: { layers: [64, 128], opts: new Map([["lr", 0.001]]) }, tags: new Set(["a"]) },
      true,
    );
    expect(entries.map((entry) => [entry.path, entry.tag, entry.text])).toEqual([
      ["model/layers/0", "int", "64"],
      ["model/layers/1", "int", "128"],
      ["model/opts/lr", "float", "0.001"],
      ["tags", "string_set", '["a"]'],
    ]);
  });

  it("stores containers as JSON text with flatten off", () => {
    const [entry] = encodeConfigs({ model: { layers: [64], big: 3n, inf: Infinity } }, false);
    expect(entry).toEqual({
      path: "model",
      tag: "str",
      text: '{"layers":[64],"big":"3","inf":"Infinity"}',
    });
  });

  it("refuses circular references and non-object data", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => encodeConfigs({ loop }, true)).toThrow("circular");
    expect(() => encodeConfigs({ loop }, false)).toThrow("circular");
    expect(() => encodeConfigs([1, 2], true)).toThrow(InvalidValueError);
    expect(() => encodeConfigs("x", true)).toThrow(InvalidValueError);
  });
});

describe("normalizePath", () => {
  it("strips outer slashes only, and refuses empty or non-string paths", () => {
    expect(normalizePath("/train/loss/")).toBe("train/loss");
    expect(normalizePath("a//b")).toBe("a//b");
    expect(() => normalizePath("///")).toThrow(InvalidValueError);
    expect(() => normalizePath(3)).toThrow("the number 3");
  });
});
