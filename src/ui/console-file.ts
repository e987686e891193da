/**
 * A run's console as one text file: what each of its processes printed (stdout and
 * stderr) and the error that ended it (traceback), in the order they were logged.
 */

import type { StringEntry } from "../api/wire.ts";

const STREAMS = ["stdout", "stderr", "traceback"];

/** Whether a string series is one of a run's console streams (`<namespace>/stdout`, …). */
function isConsolePath(path: string): boolean {
  return STREAMS.includes(path.slice(path.lastIndexOf("/") + 1));
}

/**
 * The lines of every stream, by the time they were logged. Times have whole seconds, so
 * lines of one second keep their streams' order (`series` as given) and each stream its
 * steps: stdout before stderr, before the traceback that ended the run.
 */
export function consoleText(series: readonly (readonly StringEntry[])[]): string {
  const lines = series.flatMap((entries, stream) =>
    entries.map((entry) => ({ entry, stream, at: Date.parse(entry.logged_at) || 0 })),
  );
  lines.sort((a, b) => a.at - b.at || a.stream - b.stream || a.entry.step - b.entry.step);
  // One line break after each entry, whether or not it ends with its own.
  return lines.map(({ entry }) => `${entry.value.replace(/\n$/, "")}\n`).join("");
}

/** The streams of a run's console among its string series, stdout, then stderr, then traceback. */
export function consolePaths(paths: readonly string[]): string[] {
  const rank = (path: string) => STREAMS.indexOf(path.slice(path.lastIndexOf("/") + 1));
  return paths.filter(isConsolePath).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}
