import { describe, expect, it } from "bun:test";
import {
  compareCodePoints,
  pythonJsonString,
  pythonJsonStringSet,
} from "../../../src/values/python-json.ts";

describe("pythonJsonString", () => {
  it("escapes as json.dumps does with ensure_ascii", () => {
    expect(pythonJsonString("plain text")).toBe('"plain text"');
    expect(pythonJsonString('quote " and \\ back')).toBe('"quote \\" and \\\\ back"');
    expect(pythonJsonString("\n\r\t\b\f")).toBe('"\\n\\r\\t\\b\\f"');
    expect(pythonJsonString("\u0001\u007f")).toBe('"\\u0001\\u007f"');
    expect(pythonJsonString("résumé")).toBe('"r\\u00e9sum\\u00e9"');
    // Astral characters as their two surrogates, lowercase hex.
    expect(pythonJsonString("😀")).toBe('"\\ud83d\\ude00"');
  });

  it("reads back as the same string through JSON.parse", () => {
    const text = 'mixed "é" \\ \n 😀 \u2028 end';
    expect(JSON.parse(pythonJsonString(text))).toBe(text);
  });
});

describe("compareCodePoints", () => {
  it("orders by code point, so astral characters follow U+E000–U+FFFF", () => {
    const sorted = ["😀", "\uffff", "b", "\ue000", "a", "ab", ""].sort(compareCodePoints);
    expect(sorted).toEqual(["", "a", "ab", "b", "\ue000", "\uffff", "😀"]);
  });
});

describe("pythonJsonStringSet", () => {
  it("writes json.dumps(sorted(set(members)))", () => {
    expect(pythonJsonStringSet(["b", "a", "b", "é"])).toBe('["a", "b", "\\u00e9"]');
    expect(pythonJsonStringSet([])).toBe("[]");
  });
});
