/**
 * The upload Worker: one per process, running the uploader of every cloud run, so
 * that JSON, gzip and HTTP never take time from the main thread or from the writer.
 */

import { ApiClient, type Outcome } from "./api-client.ts";
import { defaultWorkspace, registerRun } from "./remote-run.ts";
import { RunUploader } from "./run-uploader.ts";
import type { BlockingCall, CloudTarget, FromUploader, ToUploader } from "./upload-protocol.ts";

declare const self: Worker;

const uploaders = new Map<number, RunUploader>();

function post(message: FromUploader): void {
  self.postMessage(message);
}

function client(target: CloudTarget): ApiClient {
  return new ApiClient({ baseUrl: target.apiUrl, apiKey: target.apiKey, appUrl: target.appUrl });
}

function withTimeout(done: Promise<void>, timeoutMs: number | undefined): Promise<void> {
  if (timeoutMs === undefined) return done;
  return Promise.race([done, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]);
}

async function blockingCall(target: CloudTarget, call: BlockingCall): Promise<Outcome> {
  const api = client(target);
  switch (call.op) {
    case "me":
      return defaultWorkspace(api);
    case "register":
      return registerRun(api, call.identity);
    case "get":
      return api.request("GET", call.path, { query: call.query });
  }
}

/** Writes the outcome as JSON into the shared reply buffer and wakes the blocked caller. */
function answer(reply: SharedArrayBuffer, outcome: Outcome): void {
  const control = new Int32Array(reply, 0, 2);
  const bytes = new TextEncoder().encode(JSON.stringify(outcome));
  const room = new Uint8Array(reply, 8);
  if (bytes.length > room.length) {
    const tooBig: Outcome = {
      kind: "fatal",
      status: 0,
      message: `the answer (${bytes.length} bytes) is too large`,
    };
    const fallback = new TextEncoder().encode(JSON.stringify(tooBig));
    room.set(fallback);
    Atomics.store(control, 1, fallback.length);
  } else {
    room.set(bytes);
    Atomics.store(control, 1, bytes.length);
  }
  Atomics.store(control, 0, 1);
  Atomics.notify(control, 0);
}

self.onmessage = (event: MessageEvent<ToUploader>) => {
  const message = event.data;
  switch (message.type) {
    case "attach": {
      const uploader = new RunUploader({
        file: message.file,
        identity: message.identity,
        api: client(message.target),
        remoteId: message.remoteId,
        events: {
          warn: (text) => post({ type: "log", id: message.id, level: "warn", message: text }),
          error: (text) => post({ type: "log", id: message.id, level: "error", message: text }),
        },
      });
      uploaders.set(message.id, uploader);
      void uploader.start();
      return;
    }
    case "sync":
      uploaders.get(message.id)?.sync();
      return;
    case "wait":
    case "finish": {
      const uploader = uploaders.get(message.id);
      const done = (remaining: number) =>
        post({
          type: "done",
          id: message.id,
          token: message.token,
          remaining,
          state: uploader?.state ?? "finished",
        });
      if (!uploader) done(0);
      else if (message.type === "finish") {
        void withTimeout(uploader.finish(), message.timeoutMs).then(async () => {
          // Past the timeout the upload stops, and lets go of the file before close()
          // returns, so the run is left as one checkpointed file.
          if (uploader.state === "uploading") await uploader.stop();
          const remaining = uploader.pending();
          uploaders.delete(message.id);
          done(remaining);
        });
      } else {
        void waitForDrain(uploader, message.timeoutMs).then(done);
      }
      return;
    }
    case "call":
      void blockingCall(message.target, message.call)
        .catch(
          (error): Outcome => ({
            kind: "retry",
            status: 0,
            message: String(error),
            retryAfterMs: undefined,
          }),
        )
        .then((outcome) => answer(message.reply, outcome));
      return;
  }
};

/** Polls until nothing is pending (or the upload stopped, or the time is up); returns what is left. */
async function waitForDrain(uploader: RunUploader, timeoutMs: number | undefined): Promise<number> {
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    uploader.sync();
    const remaining = uploader.pending();
    if (remaining === 0 || uploader.state !== "uploading" || Date.now() >= deadline)
      return remaining;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
