/**
 * How export rows are written. CSV: RFC 4180 with CRLF line ends, fields holding a comma, quote,
 * CR or LF quoted with quotes doubled, and text that a spreadsheet would run as a formula (starting
 * with = + - @ TAB, CR or LF, or with = + - @ after leading whitespace) neutralised by a leading
 * apostrophe (OWASP "CSV injection"); numbers are written as numbers and never neutralised.
 * NDJSON: one JSON object per line. Instants are ISO 8601 in UTC either way.
 */

export type CsvValue = string | number | boolean | Date | null;

// Some spreadsheets trim leading whitespace (a line break included) before they look for a formula, so
// " =cmd" and "\n=cmd" are formulas as much as "=cmd" is.
const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@])/;
const NEEDS_QUOTES = /[",\r\n]/;

function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export function ndjsonLine(value: object): string {
  // JSON.stringify writes Dates with toISOString and escapes every newline inside strings.
  return `${JSON.stringify(value)}\n`;
}

/**
 * A log message on one line of a text file: backslash, LF, CR and TAB escaped as \\ \n \r \t, so
 * that one line of the file is always one log line and the message can be restored exactly.
 */
export function escapeTextLine(message: string): string {
  return message.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}
