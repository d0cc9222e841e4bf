/**
 * Splits text at the match ranges the server sent (UTF-16 offsets, JS string indices) into plain
 * and matched pieces, so hostile log text is rendered as text with the matches marked, never as
 * markup. Ranges out of bounds are clipped; overlapping ones are merged.
 */
export type TextPiece = { text: string; match: boolean };

export function splitAtMatches(text: string, ranges: ReadonlyArray<{ start: number; length: number }>): TextPiece[] {
  const sorted = ranges
    .map((r) => ({ start: Math.max(0, Math.min(text.length, r.start)), end: Math.max(0, Math.min(text.length, r.start + r.length)) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const range of sorted) {
    const start = Math.max(range.start, at);
    if (range.end <= start) continue;
    if (start > at) pieces.push({ text: text.slice(at, start), match: false });
    const last = pieces.at(-1);
    if (last?.match && start === at) last.text += text.slice(start, range.end);
    else pieces.push({ text: text.slice(start, range.end), match: true });
    at = range.end;
  }
  if (at < text.length || pieces.length === 0) pieces.push({ text: text.slice(at), match: false });
  return pieces;
}
