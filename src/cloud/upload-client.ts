/**
 * The main thread's handle on the upload Worker: attaching cloud runs, waking them,
 * waiting for their uploads to drain, and the blocking calls the Run constructor
 * needs (it cannot await). The Worker keeps the process alive only while someone
 * waits for a drain.
 */

import type { Outcome } from "./api-client.ts";
import type { RunIdentity } from "./remote-run.ts";
import type { BlockingCall, CloudTarget, FromUploader, ToUploader } from "./upload-protocol.ts";

export interface UploadLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface DrainResult {
  readonly remaining: number;
  readonly state: string;
}

let worker: Worker | undefined;
let nextId = 1;
let nextToken = 1;
const waiting = new Map<number, (result: DrainResult) => void>();
const loggers = new Map<number, UploadLogger>();

function start(): Worker {
  const created = new Worker(new URL("./upload-worker.ts", import.meta.url).href);
  created.unref();
  created.onmessage = (event: MessageEvent<FromUploader>) => {
    const message = event.data;
    if (message.type === "log") {
      const logger = loggers.get(message.id);
      if (message.level === "warn") logger?.warn(message.message);
      else logger?.error(message.message);
      return;
    }
    const resolve = waiting.get(message.token);
    waiting.delete(message.token);
    if (waiting.size === 0) created.unref();
    resolve?.({ remaining: message.remaining, state: message.state });
  };
  worker = created;
  return created;
}

function send(message: ToUploader): void {
  (worker ?? start()).postMessage(message);
}

export function attachUpload(
  file: string,
  identity: RunIdentity,
  target: CloudTarget,
  remoteId: string | undefined,
  logger: UploadLogger,
): number {
  const id = nextId++;
  loggers.set(id, logger);
  send({ type: "attach", id, file, identity, target, remoteId });
  return id;
}

export function syncUpload(id: number): void {
  send({ type: "sync", id });
}

function request(
  type: "finish" | "wait",
  id: number,
  timeoutMs: number | undefined,
): Promise<DrainResult> {
  const token = nextToken++;
  const result = new Promise<DrainResult>((resolve) => waiting.set(token, resolve));
  const target = worker ?? start();
  target.ref();
  target.postMessage({ type, id, token, timeoutMs } satisfies ToUploader);
  return result;
}

/** Uploads what is left of a closed run and sends its final status. */
export function finishUpload(id: number, timeoutMs: number | undefined): Promise<DrainResult> {
  return request("finish", id, timeoutMs).finally(() => loggers.delete(id));
}

/** Waits until everything logged so far is uploaded. */
export function waitForUpload(id: number, timeoutMs: number | undefined): Promise<DrainResult> {
  return request("wait", id, timeoutMs);
}

/** Runs one API call on the Worker and blocks until it answers (for the Run constructor). */
export function blockingApiCall<T>(
  target: CloudTarget,
  call: BlockingCall,
  timeoutMs = 40_000,
): Outcome<T> {
  const reply = new SharedArrayBuffer(8 + 256 * 1024);
  const control = new Int32Array(reply, 0, 2);
  send({ type: "call", reply, target, call });
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(control, 0) === 0) {
    const left = deadline - Date.now();
    if (left <= 0)
      return {
        kind: "retry",
        status: 0,
        message: "the API did not answer in time",
        retryAfterMs: undefined,
      };
    Atomics.wait(control, 0, 0, Math.min(left, 100));
  }
  const length = Atomics.load(control, 1);
  const text = new TextDecoder().decode(new Uint8Array(reply, 8, length).slice());
  return JSON.parse(text) as Outcome<T>;
}

export type { CloudTarget, RunIdentity };
