/**
 * The search box's language: comma-separated terms, each either free text (matched
 * against id, name, project and tags) or a value filter `key op value` on a config or
 * a metric's last value (`lr < 1e-3`, `val/acc > 0.9`, `optimizer/name = adam`).
 * Keys need no prefix: `lr` finds `parameters/lr`. Pure, so the fast tests cover it.
 */

export type FilterOp = "<" | "<=" | ">" | ">=" | "=" | "!=" | "~";

export interface ValueFilter {
  /** The key as typed; resolved against the known keys when applied. */
  readonly key: string;
  readonly op: FilterOp;
  readonly value: string;
}

export interface ParsedQuery {
  /** Free-text terms, lower case. */
  readonly text: readonly string[];
  readonly filters: readonly ValueFilter[];
}

const TERM = /^\s*([^<>=!~]*?[^<>=!~\s])\s*(<=|>=|!=|==|=|<|>|~)\s*(.*?)\s*$/ds;

/**
 * Where a term runs on into the next filter without a comma (`lr < 1e-3 optimizer = adam`):
 * a space followed by a key and an operator. Quoted text is masked first (see below), so
 * the key may be quoted (`"model name" = bert`).
 */
const NEXT_FILTER = /\s+(?=[^\s<>=!~]+\s*(?:<=|>=|!=|==|=|<|>|~))/g;

/** Commas and `and` between terms. */
const SEPARATOR = /,|\s+and\s+/gi;

/**
 * `input` with every character inside quotes replaced by one that no pattern here
 * looks for, the same length, so that a comma, `and`, space or operator in a quoted
 * value or key does not split the term.
 */
function maskQuoted(input: string): string {
  return input.replace(
    /(["'])(.*?)\1/gs,
    (_, quote: string, inner: string) => `${quote}${"\u0001".repeat(inner.length)}${quote}`,
  );
}

/** Cuts `input` where `pattern` matches in its masked copy (the matches left out). */
function splitOutsideQuotes(input: string, pattern: RegExp): string[] {
  const masked = maskQuoted(input);
  const parts: string[] = [];
  let from = 0;
  for (const match of masked.matchAll(pattern)) {
    parts.push(input.slice(from, match.index));
    from = match.index + match[0].length;
  }
  parts.push(input.slice(from));
  return parts;
}

/** Splits the box's text into free-text terms and value filters. */
export function parseQuery(input: string): ParsedQuery {
  const text: string[] = [];
  const filters: ValueFilter[] = [];
  const terms = splitOutsideQuotes(input, SEPARATOR).flatMap((part) =>
    splitOutsideQuotes(part, NEXT_FILTER),
  );
  for (const raw of terms) {
    const term = raw.trim();
    if (term === "") continue;
    const match = TERM.exec(maskQuoted(term));
    const at = match?.indices;
    if (match && at) {
      // The match is on the masked term: the same positions in the term itself.
      const [keyFrom, keyTo] = at[1] as [number, number];
      const [valueFrom, valueTo] = at[3] as [number, number];
      const op = (match[2] === "==" ? "=" : match[2]) as FilterOp;
      filters.push({
        key: unquote(term.slice(keyFrom, keyTo)),
        op,
        value: unquote(term.slice(valueFrom, valueTo)),
      });
    } else text.push(unquote(term).toLowerCase());
  }
  return { text, filters };
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/s.exec(value);
  return quoted ? (quoted[2] as string) : value;
}

/**
 * The full key that `typed` means among `keys`: itself, else the shortest key that
 * ends with `/typed` (so `lr` is `parameters/lr`), else a case-insensitive match of either.
 */
export function resolveKey(typed: string, keys: Iterable<string>): string | undefined {
  const all = [...keys];
  if (all.includes(typed)) return typed;
  const bySuffix = (candidates: string[], suffix: string) =>
    candidates
      .filter((key) => key.endsWith(`/${suffix}`))
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0];
  const found = bySuffix(all, typed);
  if (found !== undefined) return found;
  const lower = typed.toLowerCase();
  const folded = all.filter((key) => key.toLowerCase() === lower);
  if (folded.length > 0) return folded[0];
  const foldedSuffix = all.filter((key) => key.toLowerCase().endsWith(`/${lower}`));
  return foldedSuffix.sort((a, b) => a.length - b.length)[0];
}

/** A value as a number when it reads as one (`1e-3`, `128`, `true` is not), else undefined. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^[+-]?(inf|infinity)$/i.test(trimmed))
    return trimmed.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(trimmed)) return Number.NaN;
  const number = Number(trimmed);
  return Number.isNaN(number) ? undefined : number;
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** Whether `actual` (a config value or a metric's last value) passes `op value`. */
export function passes(actual: unknown, op: FilterOp, value: string): boolean {
  if (actual === undefined || actual === null) return op === "!=" && value !== "";
  if (Array.isArray(actual)) {
    // A set (tags) matches `=` when it holds the value, `!=` when it does not.
    const members = actual.map(String);
    if (op === "=") return members.includes(value);
    if (op === "!=") return !members.includes(value);
    if (op === "~") return members.some((m) => m.toLowerCase().includes(value.toLowerCase()));
  }
  const left = asNumber(actual);
  const right = asNumber(value);
  if (left !== undefined && right !== undefined && typeof actual !== "boolean") {
    switch (op) {
      case "<":
        return left < right;
      case "<=":
        return left <= right;
      case ">":
        return left > right;
      case ">=":
        return left >= right;
      case "=":
        return left === right || (Number.isNaN(left) && Number.isNaN(right));
      case "!=":
        return !(left === right || (Number.isNaN(left) && Number.isNaN(right)));
      case "~":
        break;
    }
  }
  const text = asText(actual).toLowerCase();
  const wanted = value.toLowerCase();
  switch (op) {
    case "=":
      return text === wanted;
    case "!=":
      return text !== wanted;
    case "~":
      return text.includes(wanted);
    case "<":
      return text < wanted;
    case "<=":
      return text <= wanted;
    case ">":
      return text > wanted;
    case ">=":
      return text >= wanted;
  }
}

/** A cell's value for sorting: text that reads as a number becomes that number. */
export function sortable(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const number = asNumber(value);
  return number === undefined ? value : number;
}

/**
 * Text in natural order (`a9` before `a10`): one collator for every comparison, since
 * `localeCompare` with options builds one per call (a sort of 5,000 rows took 600 ms).
 */
const TEXT_ORDER = new Intl.Collator(undefined, { numeric: true });

/** Runs of digits with their decimals (`0.00001`), and what lies between them. */
const PARTS = /\d+(?:\.\d+)?|\D+/g;

/**
 * Text in natural order, decimals read as decimals: the collator reads `0.00001`,
 * `0.001` and `0.1` as `0.1` (the digits after the point as one integer), so names
 * that differ only there (`lr 0.00001 bs 128`, `lr 0.1 bs 128`) sorted by what came
 * after. Texts without a decimal point go straight to the collator.
 */
function compareText(s: string, t: string): number {
  if (!/\d\.\d/.test(s) || !/\d\.\d/.test(t)) return TEXT_ORDER.compare(s, t);
  const a = s.match(PARTS) ?? [];
  const b = t.match(PARTS) ?? [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const order =
      /^\d/.test(x) && /^\d/.test(y) ? Math.sign(Number(x) - Number(y)) : TEXT_ORDER.compare(x, y);
    if (order !== 0) return order;
  }
  return a.length - b.length || TEXT_ORDER.compare(s, t);
}

/**
 * Orders table cells: numbers as numbers (128 < 256 < 512; 1e-7 < 0.003), then text;
 * empty cells last whatever the direction, so `direction` is applied here.
 */
export function compareCells(a: unknown, b: unknown, direction: 1 | -1): number {
  // The common cases first: a sort of 5,000 rows makes some 60,000 comparisons.
  if (typeof a === "number" && typeof b === "number" && !Number.isNaN(a) && !Number.isNaN(b))
    return (a < b ? -1 : a > b ? 1 : 0) * direction;
  const emptyA = a === undefined || a === null || a === "" || Number.isNaN(a);
  const emptyB = b === undefined || b === null || b === "" || Number.isNaN(b);
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  const x = typeof a === "boolean" ? undefined : asNumber(a);
  const y = typeof b === "boolean" ? undefined : asNumber(b);
  if (x !== undefined && y !== undefined && !Number.isNaN(x) && !Number.isNaN(y))
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  if (x !== undefined && !Number.isNaN(x)) return -1 * direction;
  if (y !== undefined && !Number.isNaN(y)) return 1 * direction;
  const s = asText(a);
  const t = asText(b);
  return compareText(s, t) * direction;
}

/**
 * {@link compareCells} for cells that went through {@link sortable}: text there never
 * reads as a number, so two texts go straight to the collator (a sort of 5,000 rows
 * by creation time no longer parses every date as a number first).
 */
export function compareSortable(a: unknown, b: unknown, direction: 1 | -1): number {
  if (typeof a === "string" && typeof b === "string" && a !== "" && b !== "")
    return compareText(a, b) * direction;
  return compareCells(a, b, direction);
}
