/**
 * The timeouts and intervals of the library that a test shortens instead of waiting
 * them out, each from its own `GOODSEED_*_MS` variable. A value that is not a number,
 * or is below the setting's floor, falls back to the default.
 */

export interface Timing {
  /**
   * A GPU tool (`nvidia-smi`, `rocm-smi`) that has not answered after this long is
   * killed, and that sample has no GPU metrics (GOODSEED_GPU_TIMEOUT_MS).
   * @default 5000
   */
  readonly gpuTimeoutMs: number;
  /**
   * A request to the remote API that has not answered after this long is abandoned
   * and retried (GOODSEED_REQUEST_TIMEOUT_MS).
   * @default 30000
   */
  readonly requestTimeoutMs: number;
  /**
   * The first retry of a failed upload waits about this long, doubling with each
   * further failure up to a minute (GOODSEED_RETRY_BASE_MS).
   * @default 500
   */
  readonly retryBaseMs: number;
}

export const DEFAULT_TIMING: Timing = Object.freeze({
  gpuTimeoutMs: 5000,
  requestTimeoutMs: 30_000,
  retryBaseMs: 500,
});

function milliseconds(text: string | undefined, floor: number, fallback: number): number {
  if (text === undefined || text.trim() === "") return fallback;
  const value = Number(text);
  return Number.isFinite(value) && value >= floor ? value : fallback;
}

export function resolveTiming(env: Readonly<Record<string, string | undefined>>): Timing {
  return Object.freeze({
    gpuTimeoutMs: milliseconds(env.GOODSEED_GPU_TIMEOUT_MS, 10, DEFAULT_TIMING.gpuTimeoutMs),
    requestTimeoutMs: milliseconds(
      env.GOODSEED_REQUEST_TIMEOUT_MS,
      10,
      DEFAULT_TIMING.requestTimeoutMs,
    ),
    retryBaseMs: milliseconds(env.GOODSEED_RETRY_BASE_MS, 1, DEFAULT_TIMING.retryBaseMs),
  });
}
