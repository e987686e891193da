/** What a CLI command gets from the outside world, so that tests can run commands in-process. */

import { resolveHome } from "../settings/settings.ts";

export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether a person is at the keyboard: interactive prompts are allowed. */
  readonly isTTY: boolean;
  /** Streams for interactive prompts (injected by tests). */
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** How the CLI talks to the remote API (injected by tests). */
  readonly fetch: typeof fetch;
}

/** A bad invocation: exit code 2 and the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure the user can act on: exit code 1 and the message. */
export class CliError extends Error {
  override name = "CliError";
}

export function processContext(): CliContext {
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    input: process.stdin,
    output: process.stdout,
    fetch: globalThis.fetch,
  };
}

export function homeOf(context: CliContext): string {
  return resolveHome(undefined, context.env);
}
