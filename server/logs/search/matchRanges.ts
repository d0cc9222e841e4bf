/**
 * Where a query occurs in a message, as a client highlights it: offsets in UTF-16 code units (JS
 * string indices) of the message as stored, never markup. Case is folded one code point at a time to
 * a single code point, as PostgreSQL's ILIKE does (lower() of each character): JS's full lowercase
 * would turn 'İ' into two code points and shift every offset after it.
 */

export type TextRange = { start: number; length: number };

/** The folded text, and for each of its UTF-16 units the offset in the original of the code point it came from. */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  let offset = 0;
  for (const char of text) {
    const lower = char.toLowerCase();
    // A lowercase of several code points (only 'İ' unconditionally) keeps its first, the simple mapping.
    const single = lower.length === char.length || [...lower].length === 1 ? lower : String.fromCodePoint(lower.codePointAt(0)!);
    for (let i = 0; i < single.length; i++) origin.push(offset);
    folded += single;
    offset += char.length;
  }
  origin.push(offset);
  return { folded, origin };
}

/** Every occurrence of query in message, case-insensitively, left to right and not overlapping. */
export function matchRanges(message: string, query: string): TextRange[] {
  if (query.length === 0) return [];
  const needle = fold(query).folded;
  const { folded, origin } = fold(message);
  const ranges: TextRange[] = [];
  for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + needle.length)) {
    const start = origin[at]!;
    // The unit after the match starts the next code point of the original (or is its end).
    const end = origin[at + needle.length]!;
    ranges.push({ start, length: end - start });
  }
  return ranges;
}
