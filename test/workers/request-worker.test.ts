import { describe, expect, it } from "bun:test";
import { RequestWorker } from "../../src/workers/request-worker.ts";
import { waitFor } from "../helpers/wait.ts";

const ECHO = new URL("./request-echo-worker.ts", import.meta.url).href;

interface EchoRequest {
  readonly id: number;
  readonly value: string;
}

interface EchoReply {
  readonly id: number;
  readonly value?: string;
  readonly error?: string;
}

type Outcome = { readonly value: string | undefined } | { readonly error: string };

/**
 * What a request came to. The Worker never keeps the process alive, and under
 * `bun test` nothing else does while a bare promise is awaited: polling does.
 */
async function outcome(reply: Promise<EchoReply>): Promise<Outcome> {
  let settled: Outcome | undefined;
  reply.then(
    (answer) => {
      settled = { value: answer.value };
    },
    (error: Error) => {
      settled = { error: error.message };
    },
  );
  return waitFor(() => settled, "the request to settle");
}

describe("RequestWorker", () => {
  it("answers each request with its own reply and rejects one whose reply carries an error", async () => {
    const worker = new RequestWorker<EchoRequest, EchoReply>(ECHO, "echo Worker");
    const a = outcome(worker.request({ value: "a" }));
    const b = outcome(worker.request({ value: "b" }));
    const failed = outcome(worker.request({ value: "fail" }));
    expect(await b).toEqual({ value: "b" });
    expect(await a).toEqual({ value: "a" });
    expect(await failed).toEqual({ error: "told to fail" });
    await outcome(worker.request({ value: "die" }));
  });

  it("rejects every pending request when the Worker dies, and starts a fresh one on the next", async () => {
    const worker = new RequestWorker<EchoRequest, EchoReply>(ECHO, "echo Worker");
    const dying = outcome(worker.request({ value: "die" }));
    const after = outcome(worker.request({ value: "never answered" }));
    expect(await dying).toEqual({ error: "the echo Worker stopped" });
    expect(await after).toEqual({ error: "the echo Worker stopped" });
    expect(await outcome(worker.request({ value: "again" }))).toEqual({ value: "again" });
    await outcome(worker.request({ value: "die" }));
  });
});
