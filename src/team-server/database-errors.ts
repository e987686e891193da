/** What a database error means for a request: retry it, or answer 503 until the database is back. */

/** Errors that mean the database cannot be reached right now: answered 503. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  if (
    typeof code === "string" &&
    /^ERR_POSTGRES_(CONNECTION|SERVER_ERROR|IDLE|LIFETIME)|SQLITE_BUSY|SQLITE_LOCKED|ECONNREFUSED|ECONNRESET/.test(
      code,
    )
  )
    return true;
  if (typeof errno === "string" && /^(08|57P|53)/.test(errno)) return true;
  return /connection (closed|refused|terminated)|Connection closed|database is locked/i.test(
    error.message,
  );
}

/** A deadlock or a serialization failure: the transaction was rolled back and may run again. */
export function isRetryable(error: unknown): boolean {
  const errno = (error as { errno?: unknown }).errno;
  return errno === "40P01" || errno === "40001";
}
