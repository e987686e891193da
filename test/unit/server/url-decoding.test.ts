import { describe, expect, it } from "bun:test";
import { parseQuery, percentDecode, splitTarget } from "../../../src/server/url-decoding.ts";

describe("percentDecode", () => {
  it("decodes UTF-8 escapes, leaving text without % alone", () => {
    expect(percentDecode("plain")).toBe("plain");
    expect(percentDecode("a%2Fb")).toBe("a/b");
    expect(percentDecode("%C3%A9t%c3%a9")).toBe("été");
    expect(percentDecode("%F0%9F%98%80")).toBe("😀");
    expect(percentDecode("é%20😀")).toBe("é 😀");
  });

  it("never throws: bad UTF-8 becomes U+FFFD and a lone % stays", () => {
    expect(percentDecode("%FF")).toBe("\ufffd");
    expect(percentDecode("%C3")).toBe("\ufffd");
    expect(percentDecode("100%")).toBe("100%");
    expect(percentDecode("%zz%4")).toBe("%zz%4");
  });
});

describe("parseQuery", () => {
  it("reads form data: + is a space, the first non-empty value of a name wins", () => {
    const query = parseQuery("?path=train%2Floss&a=1&a=2&empty=&b=x+y&flag&=v&&c=%");
    expect([...query]).toEqual([
      ["path", "train/loss"],
      ["a", "1"],
      ["b", "x y"],
      ["", "v"],
      ["c", "%"],
    ]);
    expect(parseQuery("").size).toBe(0);
    expect(parseQuery("?empty=&empty=later").get("empty")).toBe("later");
  });
});

describe("splitTarget", () => {
  it("decodes the whole path once, before routing, and drops the fragment", () => {
    const { path, query } = splitTarget("http://localhost:8000/api/runs/a%2Fb/configs?x=1#frag");
    expect(path).toBe("/api/runs/a/b/configs");
    expect([...query]).toEqual([["x", "1"]]);
    expect(splitTarget("http://localhost").path).toBe("/");
    expect(splitTarget("/only/path?q=%E2%9C%93").query.get("q")).toBe("✓");
  });
});
