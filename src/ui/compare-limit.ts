/**
 * How many runs one click may add to the comparison. "Select all" on a server of
 * thousands of runs chose every one of them: 5,000 compared runs froze the page for
 * about two seconds (a board of 5,000 lines, and a URL of 5,000 keys). Ticking runs one
 * by one is not limited.
 */

/** The most runs "select all" or a group's checkbox brings the comparison to. */
export const MAX_COMPARED = 100;

/**
 * `selected` with `adding` after it, as many of them (in order) as keep the comparison
 * within `max` runs; `left` says how many were not added.
 */
export function withAdded(
  selected: readonly string[],
  adding: readonly string[],
  max = MAX_COMPARED,
): { selected: string[]; left: number } {
  const out = [...new Set(selected)];
  const have = new Set(out);
  const fresh = [...new Set(adding)].filter((key) => !have.has(key));
  const room = Math.max(0, max - out.length);
  out.push(...fresh.slice(0, room));
  return { selected: out, left: Math.max(0, fresh.length - room) };
}

/** What the page says when `withAdded` left runs out. */
export function leftOutNotice(added: number, left: number): string {
  return `Compared ${added.toLocaleString()} more runs and left ${left.toLocaleString()} out: a comparison holds at most ${MAX_COMPARED} runs. Narrow the filters to choose which.`;
}
