/**
 * A number of the API as a number: non-finite values travel as the strings of
 * {@link WireNumber}. Pure, for the server (a store's written answers, packed) and the
 * page (the answers it reads).
 */

import type { WireNumber } from "./wire.ts";

/** `value` as a number; anything that is neither a number nor "±Infinity" is NaN. */
export function fromWire(value: WireNumber | string | undefined): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}
