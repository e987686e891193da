/** Messages between the main thread and the writer Worker. Data itself travels in the rings. */

export interface AttachMessage {
  readonly type: "attach";
  readonly id: number;
  readonly file: string;
  readonly ring: SharedArrayBuffer;
}

export interface ClockMessage {
  readonly type: "clock";
  readonly clock: SharedArrayBuffer;
}

export type ToWorker = AttachMessage | ClockMessage;

export interface WorkerErrorMessage {
  readonly type: "error";
  readonly id: number;
  readonly message: string;
}

export type FromWorker = WorkerErrorMessage;
