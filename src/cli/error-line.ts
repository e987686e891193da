/** How the command line prints a failure, the same for every command. */

/**
 * One error line as every command prints it: `goodseed: ` and the message, which starts
 * in lower case unless it starts with a name in capitals (`API key ...`, `GOODSEED_HOME ...`).
 */
export function errorLine(message: string): string {
  const text = /^[A-Z][a-z]/.test(message) ? message[0]?.toLowerCase() + message.slice(1) : message;
  return `goodseed: ${text.trimEnd()}\n`;
}
