/** The runs table, and charts' points, as CSV files (RFC 4180). Pure. */

/** Where a spreadsheet reads a cell as a formula: `=`, `+`, `-`, `@`, a tab or a CR first. */
const FORMULA = /^[=+\-@\t\r]/;

/**
 * One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). Text
 * that a spreadsheet would run as a formula (a run named `=HYPERLINK(…)`, a tag
 * `@cmd`) gets a leading `'`, as OWASP advises; numbers (`-0.5`, `-Infinity`) stay as
 * they are.
 */
export function csvField(value: string): string {
  const safe = FORMULA.test(value) && Number.isNaN(Number(value)) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${[header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
}
