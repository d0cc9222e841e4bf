/** A LIKE pattern that finds a text anywhere in a string, with every character of the text taken literally. */

/** `%text%` with `\`, `%` and `_` escaped by a backslash (the default LIKE escape, spelled out in the SQL). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
