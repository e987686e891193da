/**
 * Console capture: while a run that wants it is open, every `process.stdout.write`,
 * `process.stderr.write` and `console` method is forwarded unchanged to the real
 * stream and also handed, as text, to each subscribed run. Bun's `console` does not
 * write through `process.stdout`, so its methods are wrapped too; a private
 * `Console` renders their text exactly as Node's would (groups, tables, counters).
 * Installed for the first subscriber, removed with the last.
 */

import { Console } from "node:console";
import { Writable } from "node:stream";

export type StreamName = "stdout" | "stderr";

export interface ConsoleSink {
  /** Receives a chunk of text written to `stream`. Must not write to the console itself. */
  consoleText(stream: StreamName, text: string): void;
}

interface Subscription {
  readonly sink: ConsoleSink;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

type WriteFunction = typeof process.stdout.write;
type ConsoleMethod = (...args: unknown[]) => void;

const subscriptions = new Set<Subscription>();
let restore: (() => void) | undefined;
/** Set while our own console rendering runs, so that nothing is captured twice. */
let rendering = false;

function dispatch(stream: StreamName, text: string): void {
  if (text === "") return;
  for (const subscription of subscriptions) {
    if (subscription[stream]) {
      try {
        subscription.sink.consoleText(stream, text);
      } catch {
        // a closed or failing run must never break the program's output
      }
    }
  }
}

function chunkText(chunk: unknown, encoding: unknown, decoder: TextDecoder): string {
  if (typeof chunk === "string") {
    return typeof encoding === "string" && encoding !== "utf8" && encoding !== "utf-8"
      ? Buffer.from(chunk, encoding as BufferEncoding).toString("utf8")
      : chunk;
  }
  if (chunk instanceof Uint8Array) return decoder.decode(chunk, { stream: true });
  return String(chunk);
}

function wrapWrite(stream: NodeJS.WriteStream, name: StreamName): () => void {
  const original = stream.write;
  const decoder = new TextDecoder();
  const wrapped = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const result = (original as (...args: unknown[]) => boolean).call(
      this ?? stream,
      chunk,
      ...rest,
    );
    if (!rendering) dispatch(name, chunkText(chunk, rest[0], decoder));
    return result;
  } as WriteFunction;
  stream.write = wrapped;
  return () => {
    if (stream.write === wrapped) stream.write = original;
  };
}

const CONSOLE_METHODS = [
  "log",
  "info",
  "debug",
  "warn",
  "error",
  "trace",
  "dir",
  "dirxml",
  "table",
  "assert",
  "count",
  "countReset",
  "group",
  "groupCollapsed",
  "groupEnd",
  "time",
  "timeEnd",
  "timeLog",
] as const;

function wrapConsole(): () => void {
  const sink = (name: StreamName) =>
    new Writable({
      decodeStrings: false,
      write(chunk: unknown, _encoding, done) {
        dispatch(name, typeof chunk === "string" ? chunk : String(chunk));
        done();
      },
    });
  const shadow = new Console({
    stdout: sink("stdout"),
    stderr: sink("stderr"),
    colorMode: false,
  }) as unknown as Record<string, ConsoleMethod>;
  const target = console as unknown as Record<string, ConsoleMethod>;
  const originals = new Map<string, ConsoleMethod>();
  for (const name of CONSOLE_METHODS) {
    const original = target[name];
    const render = shadow[name];
    if (typeof original !== "function" || typeof render !== "function") continue;
    originals.set(name, original);
    target[name] = function (this: unknown, ...args: unknown[]) {
      original.apply(this ?? console, args);
      rendering = true;
      try {
        render.apply(shadow, args);
      } catch {
        // rendering for the run must never change what the program sees
      } finally {
        rendering = false;
      }
    };
  }
  return () => {
    for (const [name, original] of originals) target[name] = original;
  };
}

function install(): void {
  const undo = [
    wrapWrite(process.stdout, "stdout"),
    wrapWrite(process.stderr, "stderr"),
    wrapConsole(),
  ];
  restore = () => {
    for (const step of undo.reverse()) step();
    restore = undefined;
  };
}

/** Starts handing console text to `sink`; returns the function that stops it. */
export function captureConsole(
  sink: ConsoleSink,
  streams: { stdout: boolean; stderr: boolean },
): () => void {
  if (!streams.stdout && !streams.stderr) return () => {};
  const subscription: Subscription = { sink, ...streams };
  subscriptions.add(subscription);
  if (!restore) install();
  return () => {
    subscriptions.delete(subscription);
    if (subscriptions.size === 0) restore?.();
  };
}
