/**
 * JSON as the Python server writes it, in meaning: NaN and ±Infinity anywhere become
 * the strings "NaN", "Infinity" and "-Infinity"; integers beyond 2^53 are written
 * with all their digits. Bodies are built as text directly, which is also the
 * fastest way to write a million points.
 */

/** A number as JSON: non-finite values as their strings. */
export function jsonNumber(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return '"NaN"';
  return value > 0 ? '"Infinity"' : '"-Infinity"';
}

/** Any value from the API: numbers through {@link jsonNumber}, bigints as digits. */
export function jsonValue(value: unknown): string {
  switch (typeof value) {
    case "number":
      return jsonNumber(value);
    case "bigint":
      return value.toString();
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "null";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map(jsonValue).join(", ")}]`;
      const parts: string[] = [];
      for (const [key, member] of Object.entries(value))
        parts.push(`${JSON.stringify(key)}: ${jsonValue(member)}`);
      return `{${parts.join(", ")}}`;
    }
    default:
      return "null";
  }
}
