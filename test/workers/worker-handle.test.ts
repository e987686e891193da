import { describe, expect, it } from "bun:test";
import { WorkerHandle } from "../../src/workers/worker-handle.ts";
import { waitFor } from "../helpers/wait.ts";

const ECHO = new URL("./echo-worker.ts", import.meta.url).href;

interface Echo {
  readonly value: number;
  readonly thread: number;
}

describe("WorkerHandle", () => {
  it("starts the Worker on first use, once, and runs `started` before anything is posted", async () => {
    const replies: Echo[] = [];
    let starts = 0;
    const handle = new WorkerHandle<number | "die", Echo>(ECHO, {
      message: (reply) => replies.push(reply),
      started(worker) {
        starts++;
        worker.postMessage(0);
      },
    });
    expect(starts).toBe(0);
    handle.post(1);
    handle.post(2);
    await waitFor(() => replies.length === 3, "three replies");
    expect(replies.map((reply) => reply.value)).toEqual([0, 1, 2]);
    expect(starts).toBe(1);
    handle.post("die");
  });

  it("reports a Worker that died and starts a fresh one on the next use", async () => {
    const replies: Echo[] = [];
    const stops: string[] = [];
    const handle = new WorkerHandle<number | "die", Echo>(ECHO, {
      message: (reply) => replies.push(reply),
      stopped: (error) => stops.push(error.message),
    });
    handle.post(1);
    await waitFor(() => replies.length === 1, "a reply from the first Worker");
    handle.post("die");
    await waitFor(() => stops.length === 1, "the death to be reported");
    expect(stops[0]).toContain("told to die");
    handle.post(2);
    await waitFor(() => replies.length === 2, "a reply from the fresh Worker");
    expect(replies[1]?.thread).not.toBe(replies[0]?.thread);
    handle.post("die");
  });
});
