/** The text logged as `<namespace>/traceback` for an error that ended a run. */

function describeThrown(value: unknown): string {
  if (value instanceof Error) {
    const stack = value.stack ?? "";
    const headline = `${value.name}: ${value.message}`;
    return stack.includes(value.message) ? stack : `${headline}\n${stack}`;
  }
  if (typeof value === "string") return `Uncaught ${JSON.stringify(value)}`;
  try {
    return `Uncaught ${String(value)}`;
  } catch {
    return "Uncaught value";
  }
}

/** The error's name, message and stack, then each `cause` in turn; ends with a newline. */
export function formatTraceback(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && !seen.has(current) && parts.length < 16) {
    seen.add(current);
    parts.push(describeThrown(current).trimEnd());
    current = current instanceof Error ? current.cause : undefined;
  }
  return `${parts.join("\n\nCaused by: ")}\n`;
}
