/**
 * What an error may say in an answer: never where things lie on this machine. A
 * file system error names the absolute path it failed on (`ENOENT: no such file or
 * directory, stat '/home/…/projects/p/runs/r.sqlite'`); a page that can call the
 * server must not learn the user's name or layout from it.
 */

import { sep } from "node:path";

/** Quoted absolute paths, POSIX or Windows, as Node and Bun put them in messages. */
const QUOTED_PATH = /(['"])((?:\/|[A-Za-z]:\\)[^'"]*)\1/g;

/**
 * `message` with every path under one of `roots` (the served directory, as given and
 * as resolved) made relative to it, and any other quoted absolute path cut to its
 * last name.
 */
export function publicMessage(message: string, roots: readonly (string | undefined)[]): string {
  let text = message;
  const known = roots
    .filter((root): root is string => root !== undefined && root.length > 1)
    .sort((a, b) => b.length - a.length);
  for (const root of known) {
    const prefix = root.endsWith(sep) ? root : root + sep;
    text = text.replaceAll(prefix, "").replaceAll(root, ".");
  }
  return text.replace(QUOTED_PATH, (_match, quote: string, path: string) => {
    return `${quote}${path.split(/[\\/]/).pop() ?? ""}${quote}`;
  });
}
