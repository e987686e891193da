import { describe, expect, it } from "bun:test";
import {
  reachable,
  reportReachable,
  reportUnreachable,
  untilReachable,
} from "../../../src/ui/connection.ts";

const away = () => new TypeError("fetch failed");

describe("connection", () => {
  it("retries a request by itself while nothing else tells that the server is back", async () => {
    let attempts = 0;
    const failures: boolean[] = [];
    await untilReachable(
      async () => {
        attempts += 1;
        if (attempts < 3) {
          const error = away();
          reportUnreachable(error);
          throw error;
        }
        reportReachable();
      },
      (_, offline) => failures.push(offline),
      () => true,
      5,
    );
    expect(attempts).toBe(3);
    expect(failures).toEqual([true, true]);
  });

  it("wakes a waiting request as soon as another one gets an answer", async () => {
    reportUnreachable(away());
    let woke = false;
    const waiting = reachable(60_000).then(() => {
      woke = true;
    });
    await Promise.resolve();
    expect(woke).toBe(false);
    reportReachable();
    await waiting;
    expect(woke).toBe(true);
  });

  it("stops retrying once the request is no longer wanted", async () => {
    let attempts = 0;
    let wanted = true;
    await untilReachable(
      async () => {
        attempts += 1;
        const error = away();
        reportUnreachable(error);
        throw error;
      },
      () => {
        wanted = attempts < 2;
      },
      () => wanted,
      5,
    );
    expect(attempts).toBe(2);
    reportReachable();
  });

  it("tells any other failure once and does not retry it", async () => {
    let attempts = 0;
    const failures: boolean[] = [];
    await untilReachable(
      async () => {
        attempts += 1;
        throw new Error("HTTP 500");
      },
      (_, offline) => failures.push(offline),
      () => true,
      5,
    );
    expect(attempts).toBe(1);
    expect(failures).toEqual([false]);
  });
});
