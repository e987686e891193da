/** Clock readings in the text forms of the run file (FORMAT.md §4). */

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`, Python's `datetime.isoformat()` of an aware
 * UTC datetime: six fraction digits, omitted when the microsecond is 0.
 */
export function isoFromMicros(epochMicros: number): string {
  const micros = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000;
  const date = new Date((epochMicros - micros) / 1000);
  const base =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return micros === 0 ? `${base}+00:00` : `${base}.${pad(micros, 6)}+00:00`;
}

/** The current time in microseconds since the epoch (sub-millisecond where the clock has it). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** A fresh clock reading as ISO with microseconds, as `created_at` and friends are written. */
export function nowIso(): string {
  return isoFromMicros(nowMicros());
}

/** A `Date` as Python's `isoformat()` writes the equivalent aware UTC datetime. */
export function isoFromDate(date: Date): string {
  return isoFromMicros(date.getTime() * 1000);
}

/** Whole seconds since the epoch, truncated: the `ts` column. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `ts` seconds as `logged_at` text: ISO in UTC, never with a fraction. */
export function isoFromSeconds(seconds: number): string {
  return isoFromMicros(seconds * 1_000_000);
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2}(?::?\d{2})?)?$/;

/**
 * Parses the ISO text of a `datetime` config. A naive value (no offset) is read as
 * UTC; precision below a millisecond is dropped because a `Date` cannot hold it.
 * Returns `undefined` for text that is not ISO.
 */
export function parseIsoDate(text: string): Date | undefined {
  const match = ISO_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = "0", frac = "", zone] = match;
  const millis = Number(frac.padEnd(3, "0").slice(0, 3));
  let epoch = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    millis,
  );
  if (zone && zone !== "Z") {
    const digits = zone.replace(/:/g, "");
    const sign = digits[0] === "-" ? -1 : 1;
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    const seconds = Number(digits.slice(5, 7) || "0");
    epoch -= sign * ((hours * 60 + minutes) * 60 + seconds) * 1000;
  }
  return Number.isNaN(epoch) ? undefined : new Date(epoch);
}
