/**
 * A Worker that answers each request with one reply carrying the request's id:
 * started on first use, never keeping the process alive. A reply with an `error`
 * rejects its request; if the Worker stops, every pending request rejects and the
 * next one starts a fresh Worker.
 */

export class RequestWorker<
  Request extends { readonly id: number },
  Reply extends { readonly id: number; readonly error?: string },
> {
  readonly #url: string;
  readonly #name: string;
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #waiting = new Map<
    number,
    { resolve(reply: Reply): void; reject(error: Error): void }
  >();

  /** `url`: the Worker's module; `name`: how errors call it. */
  constructor(url: string, name: string) {
    this.#url = url;
    this.#name = name;
  }

  request(body: Omit<Request, "id">): Promise<Reply> {
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve, reject) =>
      this.#waiting.set(id, { resolve, reject }),
    );
    this.#start().postMessage({ ...body, id });
    return reply;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.#url);
    worker.unref();
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const pending = this.#waiting.get(event.data.id);
      this.#waiting.delete(event.data.id);
      if (event.data.error === undefined) pending?.resolve(event.data);
      else pending?.reject(new Error(event.data.error));
    };
    worker.onerror = () => {
      for (const pending of this.#waiting.values())
        pending.reject(new Error(`the ${this.#name} stopped`));
      this.#waiting.clear();
      this.#worker = undefined;
    };
    this.#worker = worker;
    return worker;
  }
}
