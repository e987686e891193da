import { describe, expect, it } from "bun:test";
import { InvalidValueError } from "../../src/index.ts";
import { readRunFile } from "../helpers/run-file.ts";
import { localRun, thrown } from "../helpers/runs.ts";
import { tempDir } from "../helpers/temp-dir.ts";

async function storedConfigs(
  values: Record<string, unknown>,
): Promise<Map<string, [string, string | null]>> {
  await using dir = tempDir();
  const run = localRun(dir.path);
  for (const [path, value] of Object.entries(values)) run.set(path, value);
  await run.close();
  const contents = readRunFile(run.file as string);
  return new Map(contents.configs.map((row) => [row.path, [row.type_tag, row.value]]));
}

describe("type tags", () => {
  it("stores every JavaScript kind with the tag and text of the Python client", async () => {
    const stored = await storedConfigs({
      "t/true": true,
      "t/false": false,
      "t/int": -3234,
      "t/int_big_number": 2 ** 60,
      "t/int_bigint": 9223372036854775885n,
      "t/float": 0.1 + 0.2,
      "t/neg_zero": -0,
      "t/nan": Number.NaN,
      "t/inf": Number.POSITIVE_INFINITY,
      "t/neg_inf": Number.NEGATIVE_INFINITY,
      "t/str": "naïve café — 日本語 🚀",
      "t/empty": "",
      "t/nul": "a\u0000b",
      "t/null": null,
      "t/date_ms": new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)),
      "t/date_whole": new Date(Date.UTC(2023, 0, 1)),
      "t/set": new Set(["resnet", "gpu", "Alpha", "aug", "Zeta", "résumé"]),
      "t/empty_set": new Set(),
    });
    expect(Object.fromEntries(stored)).toEqual(
      expect.objectContaining({
        "t/true": ["bool", "true"],
        "t/false": ["bool", "false"],
        "t/int": ["int", "-3234"],
        "t/int_big_number": ["float", "1.152921504606847e+18"],
        "t/int_bigint": ["int", "9223372036854775885"],
        "t/float": ["float", "0.30000000000000004"],
        "t/neg_zero": ["float", "-0.0"],
        "t/nan": ["float", "nan"],
        "t/inf": ["float", "inf"],
        "t/neg_inf": ["float", "-inf"],
        "t/str": ["str", "naïve café — 日本語 🚀"],
        "t/empty": ["str", ""],
        "t/nul": ["str", "a\u0000b"],
        "t/null": ["null", ""],
        "t/date_ms": ["datetime", "2024-02-29T23:59:58.123000+00:00"],
        "t/date_whole": ["datetime", "2023-01-01T00:00:00+00:00"],
        "t/set": ["string_set", '["Alpha", "Zeta", "aug", "gpu", "resnet", "r\\u00e9sum\\u00e9"]'],
        "t/empty_set": ["string_set", "[]"],
      }),
    );
  });

  it("writes floats as Python's repr", async () => {
    const cases: [number, string][] = [
      [77.5, "77.5"],
      [5e-324, "5e-324"],
      [1.1550000000000002e-298, "1.1550000000000002e-298"],
      [1e-5, "1e-05"],
      [2.5e-7, "2.5e-07"],
      [0.0001, "0.0001"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [847.11761917736, "847.11761917736"],
      [-1234.5678, "-1234.5678"],
      [1.5, "1.5"],
    ];
    const stored = await storedConfigs(
      Object.fromEntries(cases.map(([value], index) => [`f/${index}`, value])),
    );
    cases.forEach(([, text], index) => {
      expect(stored.get(`f/${index}`)).toEqual(["float", text]);
    });
  });

  it("sorts string sets by code point and escapes as json.dumps does", async () => {
    const stored = await storedConfigs({
      s: new Set(["😀", "\uffff", 'q"uote', "back\\slash", "tab\t", "\u007f"]),
    });
    expect(stored.get("s")).toEqual([
      "string_set",
      '["back\\\\slash", "q\\"uote", "tab\\t", "\\u007f", "\\uffff", "\\ud83d\\ude00"]',
    ]);
  });

  it("reads every tag back with get()", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    const date = new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123));
    run.logConfigs({
      b: true,
      i: 7,
      big: 9223372036854775885n,
      f: 2.5,
      s: "x",
      n: null,
      d: date,
      set: new Set(["a"]),
    });
    expect(run.get("b")).toBe(true);
    expect(run.get("i")).toBe(7);
    expect(run.get("big")).toBe(9223372036854775885n);
    expect(run.get("f")).toBe(2.5);
    expect(run.get("s")).toBe("x");
    expect(run.get("n")).toBeNull();
    expect(run.get("d")).toEqual(date);
    expect(run.get("set")).toEqual(new Set(["a"]));
    expect(run.get("missing")).toBeUndefined();
    await run.close();
  });

  it("rejects values that have no type tag with a TypeError naming the path", async () => {
    await using dir = tempDir();
    const run = localRun(dir.path);
    for (const bad of [
      undefined,
      () => 1,
      Symbol("s"),
      new Date(Number.NaN),
      new (class Model {})(),
    ]) {
      const error = thrown(() => run.set("cfg/bad", bad));
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toBeInstanceOf(InvalidValueError);
      expect(error.message).toContain("cfg/bad");
    }
    const nested = thrown(() => run.set("cfg", { ok: 1, inner: { fn: () => 0 } }));
    expect(nested.message).toContain("cfg/inner/fn");
    await run.close();
    expect(
      readRunFile(run.file as string).configs.filter((row) => row.path.startsWith("cfg")),
    ).toEqual([]);
  });
});

describe("Python reads our values back", () => {
  it("deserialises every config we write to an equal value", async () => {
    const python = Bun.which("python3");
    if (!python) return;
    await using dir = tempDir();
    const run = localRun(dir.path);
    run.logConfigs({
      b: false,
      i: -42,
      big: 9223372036854775885n,
      f: 0.1 + 0.2,
      tiny: 5e-324,
      inf: Number.NEGATIVE_INFINITY,
      s: "ü\u0000\n",
      n: null,
      d: new Date(Date.UTC(2021, 2, 4, 5, 6, 7, 8)),
      set: new Set(["é", "a", "😀"]),
    });
    await run.close();
    const script = `
import sqlite3, json, sys, math
from datetime import datetime, timezone
def deserialize(tag, raw):
    if tag == "null" or raw is None: return None
    if tag == "bool": return raw.lower() == "true"
    if tag == "int": return int(raw)
    if tag == "float": return float(raw)
    if tag == "datetime": return datetime.fromisoformat(raw)
    if tag == "string_set": return set(json.loads(raw))
    return raw
c = sqlite3.connect(sys.argv[1])
got = {p: deserialize(t, v) for p, t, v in c.execute("select path, type_tag, value from configs")}
expected = {
    "b": False, "i": -42, "big": 9223372036854775885, "f": 0.1 + 0.2, "tiny": 5e-324,
    "inf": -math.inf, "s": "ü\\x00\\n", "n": None,
    "d": datetime(2021, 3, 4, 5, 6, 7, 8000, tzinfo=timezone.utc), "set": {"é", "a", "😀"},
}
bad = [k for k, v in expected.items() if got.get(k) != v or type(got.get(k)) is not type(v)]
print("ok" if not bad else "mismatch: " + repr(bad))
`;
    const result = Bun.spawnSync([python, "-c", script, run.file as string]);
    expect(result.stdout.toString().trim()).toBe("ok");
  });
});
