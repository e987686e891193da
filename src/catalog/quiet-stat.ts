/**
 * File system probes that never throw: a name the file system refuses (too long, a
 * loop of links, a file where a directory should be) is simply no file here.
 */

import { lstatSync, type Stats, statSync } from "node:fs";

/** A path's stats, or undefined when it is missing or cannot be stat'ed. */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Whether `path` is a symlink (false when it is missing or cannot be stat'ed). */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch {
    return false;
  }
}
