import { describe, expect, it } from 'vitest';
import { splitAtMatches } from '../../client/src/lib/match-ranges.ts';

describe('splitAtMatches', () => {
  it('marks each range and keeps the text between them as plain text', () => {
    expect(splitAtMatches('GET /a 403 Forbidden, GET /b 403 Forbidden', [{ start: 7, length: 13 }, { start: 29, length: 13 }])).toEqual([
      { text: 'GET /a ', match: false },
      { text: '403 Forbidden', match: true },
      { text: ', GET /b ', match: false },
      { text: '403 Forbidden', match: true },
    ]);
  });

  it('keeps markup in a log line as text, and merges overlapping or touching ranges', () => {
    const pieces = splitAtMatches('<img src=x onerror=alert(1)>', [{ start: 5, length: 5 }, { start: 1, length: 5 }, { start: 10, length: 2 }]);
    expect(pieces).toEqual([
      { text: '<', match: false },
      { text: 'img src=x o', match: true },
      { text: 'nerror=alert(1)>', match: false },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe('<img src=x onerror=alert(1)>');
  });

  it('clips ranges beyond the text, and counts offsets in UTF-16 units as the server does', () => {
    expect(splitAtMatches('😀 ok', [{ start: 3, length: 10 }])).toEqual([
      { text: '😀 ', match: false },
      { text: 'ok', match: true },
    ]);
    expect(splitAtMatches('', [{ start: 0, length: 3 }])).toEqual([{ text: '', match: false }]);
  });
});
