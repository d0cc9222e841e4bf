/**
 * PostgreSQL text cannot hold U+0000 nor half of a surrogate pair (which is not Unicode). Text a
 * runner brings from the web (log lines, a run's error) is stored rather than refused for one such
 * character: each becomes U+FFFD, the Unicode replacement character, as UTF-8 encoding does with a
 * lone surrogate; every other character is stored as sent.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

export function storableText(text: string): string {
  return isStorableText(text) ? text : text.replaceAll('\u0000', '\uFFFD').toWellFormed();
}
