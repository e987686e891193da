/**
 * What a failed open of a run file leaves behind and how it is reported: the -wal and
 * -shm files that the failed attempt created are removed, and errors of the file
 * system or SQLite become a goodseed {@link StorageError} that says what to check.
 */

import { existsSync, rmSync } from "node:fs";
import { isGoodseedError, StorageError } from "../errors.ts";

const SIDECARS = ["-wal", "-shm"] as const;

/** Which of the file's -wal and -shm exist now (to tell later which ones a failed open made). */
export function existingSidecars(file: string): Set<string> {
  return new Set(SIDECARS.filter((suffix) => existsSync(`${file}${suffix}`)));
}

/** Removes the -wal and -shm files that were not there before. */
export function removeNewSidecars(file: string, before: ReadonlySet<string>): void {
  for (const suffix of SIDECARS) {
    if (before.has(suffix)) continue;
    try {
      rmSync(`${file}${suffix}`, { force: true });
    } catch {
      // A read-only disk: nothing was made there, and the open's own error is the one to report.
    }
  }
}

/** A goodseed error as is; anything else wrapped into a StorageError that names the file. */
export function storageFailure(action: string, file: string, error: unknown): Error {
  if (isGoodseedError(error)) return error as Error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  let hint = "Check that the folder exists and is writable and that the disk has room.";
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT")
    hint = "The file is not a valid SQLite database: move it away, or restore it from a copy.";
  if (code === "SQLITE_FULL" || code === "ENOSPC")
    hint = "The disk is full: free some space and try again.";
  return new StorageError(`Cannot ${action} ${file}: ${message}. ${hint}`, { cause: error });
}
