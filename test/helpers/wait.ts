/** Polling with a deadline: tests never sleep a fixed time and hope. */

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(intervalMs);
  }
}

/** Reads a child's stdout until `line` shows (or it ends); returns what it read. */
export async function waitForLine(
  child: { stdout: ReadableStream<Uint8Array> },
  line: string,
): Promise<string> {
  const reader = child.stdout.getReader();
  let text = "";
  await waitFor(async () => {
    const { value, done } = await reader.read();
    if (value) text += new TextDecoder().decode(value);
    return text.includes(line) || done;
  }, `"${line}" from the child`);
  reader.releaseLock();
  return text;
}
