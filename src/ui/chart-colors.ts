/**
 * A run's colour, derived from its key so that it is the same in every view and on
 * every visit: 30 colours (ten hues at three lightnesses, none of them red, which
 * the page keeps for "failed").
 */

/** Ten hues (orange to violet, OKLCH 55°–307°) at medium, dark and light lightness. */
export const RUN_COLORS = [
  "#cc6600",
  "#b47a00",
  "#8c8d00",
  "#4d9c34",
  "#00a371",
  "#00a2a4",
  "#0098cb",
  "#2989e2",
  "#7478e4",
  "#a068d0",
  "#954f00",
  "#7e5f00",
  "#5a6d00",
  "#1d7635",
  "#007a60",
  "#007785",
  "#006ea0",
  "#3461ac",
  "#6154a8",
  "#7f4894",
  "#e8a064",
  "#dfa044",
  "#bfb042",
  "#92be62",
  "#5bc78e",
  "#0fc8ba",
  "#11c2e0",
  "#5ab7f9",
  "#8ea9ff",
  "#b89bf5",
] as const;

/** FNV-1a over the key's UTF-16 units: cheap, stable, well spread. */
function hash(key: string): number {
  let value = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    value ^= key.charCodeAt(i);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** The colour a run gets when no other run on the chart claims it first. */
export function preferredColor(key: string): number {
  return hash(key) % RUN_COLORS.length;
}

const HUES = 10;

/** Distance between two colours' hues, around the wheel of ten. */
function hueDistance(a: number, b: number): number {
  const d = Math.abs((a % HUES) - (b % HUES));
  return Math.min(d, HUES - d);
}

/**
 * Colours for the runs shown together: each run its preferred colour unless that
 * colour, or one too like it, is taken already; then the next one that is not. With
 * few runs "too like" means a neighbouring hue, with up to ten the same hue, beyond
 * that the same colour. Keys are taken in sorted order, so the result depends only on
 * the set of runs (never on selection order) and a link shows the same colours on
 * every visit; up to 30 runs never share a colour.
 */
export function runColors(keys: readonly string[]): Map<string, string> {
  const taken: number[] = [];
  const colors = new Map<string, string>();
  const sorted = [...new Set(keys)].sort();
  const spacing = sorted.length <= 4 ? 2 : sorted.length <= HUES ? 1 : 0;
  for (const key of sorted) {
    const preferred = preferredColor(key);
    let chosen = preferred;
    for (let need = spacing; need >= 0; need--) {
      const fits = (index: number) =>
        !taken.includes(index) && taken.every((other) => hueDistance(index, other) >= need);
      let found = -1;
      for (let probe = 0; probe < RUN_COLORS.length && found < 0; probe++) {
        const index = (preferred + probe) % RUN_COLORS.length;
        if (fits(index)) found = index;
      }
      if (found >= 0) {
        chosen = found;
        break;
      }
    }
    taken.push(chosen);
    colors.set(key, RUN_COLORS[chosen] as string);
  }
  return colors;
}
