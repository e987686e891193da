/** Messages between the main thread and the upload Worker. */

import type { RunIdentity } from "./remote-run.ts";

export interface CloudTarget {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly appUrl: string;
}

export type ToUploader =
  | {
      readonly type: "attach";
      readonly id: number;
      readonly file: string;
      readonly identity: RunIdentity;
      readonly target: CloudTarget;
      readonly remoteId: string | undefined;
    }
  | { readonly type: "sync"; readonly id: number }
  | {
      readonly type: "finish";
      readonly id: number;
      readonly token: number;
      readonly timeoutMs: number | undefined;
    }
  | {
      readonly type: "wait";
      readonly id: number;
      readonly token: number;
      readonly timeoutMs: number | undefined;
    }
  /** A request answered through shared memory, for callers that must block (the Run constructor). */
  | {
      readonly type: "call";
      readonly reply: SharedArrayBuffer;
      readonly target: CloudTarget;
      readonly call: BlockingCall;
    };

export type BlockingCall =
  | { readonly op: "me" }
  | { readonly op: "register"; readonly identity: RunIdentity }
  | {
      readonly op: "get";
      readonly path: string;
      readonly query: Readonly<Record<string, string | number | undefined>>;
    };

export type FromUploader =
  | {
      readonly type: "log";
      readonly id: number;
      readonly level: "warn" | "error";
      readonly message: string;
    }
  | {
      readonly type: "done";
      readonly id: number;
      readonly token: number;
      readonly remaining: number;
      readonly state: string;
    };
