/** Runs a TypeScript snippet in its own Bun process, importing goodseed from this checkout. */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, tempDir } from "./temp-dir.ts";

export interface ScriptResult {
  readonly exitCode: number | null;
  readonly signalCode: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ScriptOptions {
  /** GOODSEED_HOME of the child. */
  home: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Source text that imports the library's public entry point as `goodseed` would. */
export const IMPORT_GOODSEED = `import * as goodseed from ${JSON.stringify(join(REPO_ROOT, "src/index.ts"))};\nconst { Run, withRun, Storage, GitRef } = goodseed;\n`;

function childEnv(options: ScriptOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("GOODSEED_")) env[key] = value;
  }
  return { ...env, GOODSEED_HOME: options.home, GOODSEED_STORAGE: "local", ...options.env };
}

/** Starts the script; the caller waits on `exited` (or kills it). */
export function spawnScript(
  body: string,
  options: ScriptOptions,
): Bun.Subprocess<"ignore", "pipe", "pipe"> & {
  cleanup(): void;
} {
  const dir = tempDir("goodseed-script-");
  const file = join(dir.path, "script.ts");
  writeFileSync(file, IMPORT_GOODSEED + body);
  const child = Bun.spawn([process.execPath, file], {
    cwd: dir.path,
    env: childEnv(options),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  return Object.assign(child, { cleanup: () => dir[Symbol.dispose]() });
}

/** Runs the script to the end and returns its exit status and output. */
export async function runScript(body: string, options: ScriptOptions): Promise<ScriptResult> {
  const child = spawnScript(body, options);
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  try {
    const [stdout, stderr] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    await child.exited;
    const signalCode = child.signalCode === null ? null : String(child.signalCode);
    return { exitCode: child.exitCode, signalCode, stdout, stderr };
  } finally {
    clearTimeout(timer);
    child.cleanup();
  }
}
