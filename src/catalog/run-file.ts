/** One run file under the served directory, as the catalog found it. */

import type { FileVersion } from "../storage/connection-pool.ts";

export interface RunFile {
  /** Project name: the path of the directory above `runs/`, relative to the served directory. */
  readonly project: string;
  /** File stem. */
  readonly stem: string;
  readonly file: string;
  /** The `.sqlite` file's mtime in ms (sub-ms precision). */
  readonly mtimeMs: number;
  readonly version: FileVersion;
}
