/**
 * The columns a user adds to the runs table: a config, or a metric summarised as its
 * last, smallest or largest value. An id (`config:lr`, `metric:val/acc`, `min:…`,
 * `max:…`) travels in the URL; headers are short, with the full path on hover. Also
 * which keys are per-process or source-code detail, hidden unless asked for. Pure.
 */

export type Summary = "last" | "min" | "max";

export type Column =
  | { readonly kind: "config"; readonly key: string; readonly id: string }
  | {
      readonly kind: "metric";
      readonly key: string;
      readonly summary: Summary;
      readonly id: string;
    };

const SUMMARY_PREFIX: Record<Summary, string> = { last: "metric", min: "min", max: "max" };

export function columnId(kind: "config", key: string): string;
export function columnId(kind: "metric", key: string, summary: Summary): string;
export function columnId(
  kind: "config" | "metric",
  key: string,
  summary: Summary = "last",
): string {
  return kind === "config" ? `config:${key}` : `${SUMMARY_PREFIX[summary]}:${key}`;
}

/** Reads a column id; `undefined` for one this page does not know. */
export function parseColumn(id: string): Column | undefined {
  const colon = id.indexOf(":");
  if (colon < 1 || colon === id.length - 1) return undefined;
  const prefix = id.slice(0, colon);
  const key = id.slice(colon + 1);
  if (prefix === "config") return { kind: "config", key, id };
  if (prefix === "metric" || prefix === "last") return { kind: "metric", key, summary: "last", id };
  if (prefix === "min" || prefix === "max") return { kind: "metric", key, summary: prefix, id };
  return undefined;
}

/**
 * Short headers: each column's last path segment, or as many trailing segments as it
 * takes to tell it from the other columns'; min and max say so.
 */
export function shortLabels(columns: readonly Column[]): string[] {
  const segments = columns.map((column) => column.key.split("/"));
  return columns.map((column, index) => {
    const own = segments[index] as string[];
    let take = 1;
    const label = () => own.slice(-take).join("/");
    const clashes = () =>
      columns.some(
        (other, j) =>
          other.key !== column.key && (segments[j] as string[]).slice(-take).join("/") === label(),
      );
    while (take < own.length && clashes()) take++;
    const summary =
      column.kind === "metric" && column.summary !== "last" ? ` (${column.summary})` : "";
    return `${label()}${summary}`;
  });
}

/** What hovering a header says: the full path and what is shown of it. */
export function columnTitle(column: Column): string {
  if (column.kind === "config") return `config ${column.key}`;
  const what = { last: "last value", min: "smallest value", max: "largest value" }[column.summary];
  return `${column.key}: ${what}`;
}

/** Per-process keys (`monitoring/<id>/pid|hostname|tid`) and `source_code/*`. */
export function isInternalKey(key: string): boolean {
  return /^monitoring\/[^/]+\/(pid|hostname|tid)$/.test(key) || key.startsWith("source_code/");
}

export interface Suggestion {
  readonly id: string;
  /** The path shown. */
  readonly key: string;
  /** "config", "last", "min" or "max". */
  readonly kind: string;
}

/**
 * Suggestions for what was typed: every config key and metric path that contains it
 * (case-insensitive, anywhere, no prefix needed), the closest first: exact, then
 * ending in the text, then starting a segment with it, then anywhere; configs before
 * metrics at equal rank. At most `limit`.
 */
export function suggestColumns(
  typed: string,
  configKeys: readonly string[],
  metricPaths: readonly string[],
  taken: ReadonlySet<string>,
  limit = 12,
): Suggestion[] {
  const text = typed.trim().toLowerCase();
  const rank = (key: string): number => {
    const lower = key.toLowerCase();
    if (text === "") return 3;
    if (lower === text) return 0;
    if (lower.endsWith(`/${text}`)) return 1;
    if (lower.startsWith(text) || lower.includes(`/${text}`)) return 2;
    if (lower.includes(text)) return 3;
    return -1;
  };
  const found: { suggestion: Suggestion; rank: number; order: number }[] = [];
  for (const key of configKeys) {
    const r = rank(key);
    if (r >= 0)
      found.push({
        suggestion: { id: columnId("config", key), key, kind: "config" },
        rank: r,
        order: 0,
      });
  }
  for (const key of metricPaths) {
    const r = rank(key);
    if (r < 0) continue;
    for (const [order, summary] of (["last", "min", "max"] as const).entries())
      found.push({
        suggestion: { id: columnId("metric", key, summary), key, kind: summary },
        rank: r,
        order: 1 + order,
      });
  }
  return found
    .filter((item) => !taken.has(item.suggestion.id))
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        Math.min(a.order, 1) - Math.min(b.order, 1) ||
        a.suggestion.key.length - b.suggestion.key.length ||
        (a.suggestion.key < b.suggestion.key ? -1 : a.suggestion.key > b.suggestion.key ? 1 : 0) ||
        a.order - b.order,
    )
    .slice(0, limit)
    .map((item) => item.suggestion);
}
