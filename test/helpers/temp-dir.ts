/** Temporary directories that remove themselves: `await using home = tempDir()`. */

import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface TempDir {
  readonly path: string;
  [Symbol.asyncDispose](): Promise<void>;
  [Symbol.dispose](): void;
}

export function tempDir(prefix = "goodseed-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => rmSync(path, { recursive: true, force: true });
  return {
    path,
    [Symbol.dispose]: remove,
    async [Symbol.asyncDispose]() {
      remove();
    },
  };
}

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const FIXTURES = join(REPO_ROOT, "test/fixtures/compat");

/** A scratch copy of the Python client's runs: `<dir>/home` is a GOODSEED_HOME. */
export function compatHome(): TempDir & { readonly home: string; readonly projects: string } {
  const dir = tempDir("goodseed-compat-");
  const home = join(dir.path, "home");
  cpSync(join(FIXTURES, "home"), home, { recursive: true });
  return Object.assign(dir, { home, projects: join(home, "projects") });
}
