/**
 * A Worker that answers each request with one reply carrying the request's id, on a
 * {@link WorkerHandle}: started on first use, keeping the process alive only while a
 * request awaits its reply. A reply with an `error` rejects its request; if the Worker
 * stops, every pending request rejects and the next one starts a fresh Worker.
 */

import { WorkerHandle } from "./worker-handle.ts";

/** A request without its id, each member of a union on its own. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

export class RequestWorker<
  Request extends { readonly id: number },
  Reply extends { readonly id: number; readonly error?: string },
> {
  readonly #handle: WorkerHandle<Request, Reply>;
  #nextId = 1;
  readonly #waiting = new Map<
    number,
    { resolve(reply: Reply): void; reject(error: Error): void }
  >();

  /** `url`: the Worker's module; `name`: how errors call it. */
  constructor(url: string, name: string) {
    this.#handle = new WorkerHandle<Request, Reply>(url, {
      message: (reply) => {
        const pending = this.#waiting.get(reply.id);
        if (!pending) return;
        this.#waiting.delete(reply.id);
        this.#handle.release();
        if (reply.error === undefined) pending.resolve(reply);
        else pending.reject(new Error(reply.error));
      },
      stopped: () => {
        for (const pending of this.#waiting.values()) {
          this.#handle.release();
          pending.reject(new Error(`the ${name} stopped`));
        }
        this.#waiting.clear();
      },
    });
  }

  request(body: WithoutId<Request>): Promise<Reply> {
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve, reject) =>
      this.#waiting.set(id, { resolve, reject }),
    );
    // Held until the reply: a caller may have nothing else keeping the process alive.
    this.#handle.hold();
    // The body of one member of Request, with its id: that member.
    this.#handle.post({ ...body, id } as unknown as Request);
    return reply;
  }
}
