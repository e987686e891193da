/**
 * The text Python's `json.dumps` writes with its defaults (`ensure_ascii`, `", "`
 * separators), used for `string_set` configs so both clients store identical bytes.
 */

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: "\\\\",
  10: "\\n",
  13: "\\r",
  9: "\\t",
  8: "\\b",
  12: "\\f",
};

/** A JSON string literal with every code unit outside U+0020–U+007E escaped. */
export function pythonJsonString(text: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const plain = unit >= 0x20 && unit <= 0x7e && unit !== 0x22 && unit !== 0x5c;
    if (plain) continue;
    out += text.slice(runStart, i);
    out += SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, "0")}`;
    runStart = i + 1;
  }
  return `${out}${text.slice(runStart)}"`;
}

/** Orders strings by Unicode code point, as Python sorts `str` (not by UTF-16 unit). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (astral code points) must sort after U+E000–U+FFFF.
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** `json.dumps(sorted(set(members)))` as Python writes it. */
export function pythonJsonStringSet(members: Iterable<string>): string {
  const sorted = [...new Set(members)].sort(compareCodePoints);
  return `[${sorted.map(pythonJsonString).join(", ")}]`;
}
