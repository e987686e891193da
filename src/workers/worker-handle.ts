/**
 * The main thread's lifecycle of one background Worker, shared by every Worker client:
 * started on first use, never keeping the process alive unless someone holds it (a
 * caller awaiting its answer), and started afresh on the next use if it died.
 */

export interface WorkerHandlers<From> {
  /** Each message the Worker posts. */
  message(message: From): void;
  /** Runs once per start, before any other message is posted (e.g. to share memory). */
  started?(worker: Worker): void;
  /** The Worker died; the next `post` starts a fresh one. */
  stopped?(error: ErrorEvent): void;
}

export class WorkerHandle<To, From> {
  readonly #url: string;
  readonly #handlers: WorkerHandlers<From>;
  #worker: Worker | undefined;
  #holds = 0;

  /** `url`: the Worker's module, as `new URL("./x-worker.ts", import.meta.url).href`. */
  constructor(url: string, handlers: WorkerHandlers<From>) {
    this.#url = url;
    this.#handlers = handlers;
  }

  /** Starts the Worker now, if it is not running. */
  start(): void {
    this.#started();
  }

  /** Posts a message, starting the Worker if needed. */
  post(message: To): void {
    this.#started().postMessage(message);
  }

  /** Keeps the process alive until the matching `release` (while an answer is awaited). */
  hold(): void {
    if (this.#holds++ === 0) this.#started().ref();
  }

  release(): void {
    if (this.#holds === 0) return;
    if (--this.#holds === 0) this.#worker?.unref();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.#url);
    if (this.#holds === 0) worker.unref();
    worker.onmessage = (event: MessageEvent<From>) => this.#handlers.message(event.data);
    worker.onerror = (error: ErrorEvent) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#handlers.stopped?.(error);
    };
    this.#worker = worker;
    this.#handlers.started?.(worker);
    return worker;
  }
}
