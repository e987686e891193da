/** JSON bodies as both clients write them: Python's bare NaN/±Infinity read as our strings. */

import { describe, expect, it } from "bun:test";
import { parseJsonBody } from "../../../src/team-server/request-body.ts";

const parse = (text: string) => parseJsonBody(new TextEncoder().encode(text));

describe("parseJsonBody", () => {
  it("reads bare NaN and ±Infinity where a value stands as the strings our client sends", () => {
    expect(
      parse('{"points": [{"number": NaN}, {"number":Infinity }, {"number": -Infinity}]}'),
    ).toEqual({ points: [{ number: "NaN" }, { number: "Infinity" }, { number: "-Infinity" }] });
    expect(parse("[NaN,\n\t-Infinity ,Infinity]")).toEqual(["NaN", "-Infinity", "Infinity"]);
  });

  it("leaves the same words inside strings as they are, also beside bare tokens", () => {
    const texts = [
      "a: NaN, b",
      "[NaN]",
      "x, -Infinity}",
      'quote \\": NaN, and more',
      "Infinity",
      "NaN",
    ];
    for (const text of texts) {
      const json = JSON.stringify({ text, key: 1 }).replace('"key":1', '"key": NaN');
      expect(parse(json)).toEqual({ text, key: "NaN" });
    }
    expect(parse('{"NaN": NaN, "Infinity": [Infinity]}')).toEqual({
      NaN: "NaN",
      Infinity: ["Infinity"],
    });
  });

  it("answers 400 Request.BadJson for what is not JSON, with or without the tokens", () => {
    for (const text of ['{"points": [', '{"points": [NaN,', "[NaNa]", "[-Infinityx]", "NaN NaN"]) {
      let caught: unknown;
      try {
        parse(text);
      } catch (error) {
        caught = error;
      }
      expect({
        text,
        status: (caught as { status?: number })?.status,
        code: (caught as { code?: string })?.code,
      }).toEqual({
        text,
        status: 400,
        code: "Request.BadJson",
      });
    }
  });
});
