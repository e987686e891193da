import { describe, expect, it } from "bun:test";
import { resolveSettings } from "../../../src/settings/settings.ts";
import { DEFAULT_TIMING, resolveTiming } from "../../../src/settings/timing.ts";
import { tempDir } from "../../helpers/temp-dir.ts";

describe("timing settings", () => {
  it("default to 5 s for a GPU tool, 30 s per API request and 0.5 s before a retry", () => {
    expect(resolveTiming({})).toEqual({
      gpuTimeoutMs: 5000,
      requestTimeoutMs: 30_000,
      retryBaseMs: 500,
    });
    expect(DEFAULT_TIMING).toEqual(resolveTiming({}));
  });

  it("come from GOODSEED_*_MS, so tests shorten them instead of waiting them out", () => {
    expect(
      resolveTiming({
        GOODSEED_GPU_TIMEOUT_MS: "300",
        GOODSEED_REQUEST_TIMEOUT_MS: "1500",
        GOODSEED_RETRY_BASE_MS: "1",
      }),
    ).toEqual({ gpuTimeoutMs: 300, requestTimeoutMs: 1500, retryBaseMs: 1 });
  });

  it("keep the default for text that is not a number, or below a setting's floor", () => {
    const timing = resolveTiming({
      GOODSEED_GPU_TIMEOUT_MS: "soon",
      GOODSEED_REQUEST_TIMEOUT_MS: "0",
      GOODSEED_RETRY_BASE_MS: "",
    });
    expect(timing).toEqual(DEFAULT_TIMING);
  });

  it("are part of the frozen settings", () => {
    using dir = tempDir();
    const settings = resolveSettings({ home: dir.path }, { GOODSEED_GPU_TIMEOUT_MS: "250" });
    expect(settings.timing.gpuTimeoutMs).toBe(250);
    expect(Object.isFrozen(settings.timing)).toBe(true);
  });
});
