/** A CLI context with scripted keyboard input and captured output, for commands run in-process. */

import { PassThrough, Writable } from "node:stream";
import type { CliContext } from "../../src/cli/context.ts";

export interface ScriptedContext extends CliContext {
  readonly out: string[];
  readonly err: string[];
  /** Everything the prompts drew. */
  screen(): string;
  /** Types keys once the prompt shows `expect` (polled with a deadline). */
  type(expect: string, keys: string): Promise<void>;
}

export const KEY = { enter: "\r", down: "\u001b[B", up: "\u001b[A", ctrlC: "\u0003" } as const;

export function scriptedContext(options: {
  home: string;
  isTTY: boolean;
  fetch?: typeof fetch;
}): ScriptedContext {
  const input = new PassThrough();
  let drawn = "";
  const output = new Writable({
    write(chunk, _encoding, done) {
      drawn += chunk.toString();
      done();
    },
  });
  const out: string[] = [];
  const err: string[] = [];
  return {
    env: { GOODSEED_HOME: options.home },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTTY: options.isTTY,
    input,
    output: output as unknown as NodeJS.WritableStream,
    fetch:
      options.fetch ??
      ((async () => new Response("{}", { status: 500 })) as unknown as typeof fetch),
    out,
    err,
    screen: () => drawn,
    async type(expect, keys) {
      const deadline = Date.now() + 5000;
      const seen = drawn.length;
      while (!drawn.slice(Math.max(0, seen - 2000)).includes(expect)) {
        if (Date.now() > deadline)
          throw new Error(`the prompt never showed "${expect}"; screen:\n${drawn.slice(-2000)}`);
        await Bun.sleep(5);
      }
      for (const key of keys.match(/\u001b\[[AB]|./gsu) ?? []) {
        input.write(key);
        await Bun.sleep(5);
      }
    },
  };
}
