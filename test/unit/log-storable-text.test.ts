/** What PostgreSQL text cannot hold (NUL, half a surrogate pair) becomes U+FFFD; everything else is stored as sent. */
import { describe, expect, it } from 'vitest';
import { isStorableText, storableText } from '../../server/db/storableText.ts';
import { levelRank, LOG_LEVELS } from '../../contract/logLevels.ts';
import { storableLines } from '../../server/logs/storableLines.ts';

const REPLACEMENT = '\uFFFD';

describe('storableText', () => {
  it('keeps text PostgreSQL can hold, the very same string', () => {
    for (const text of ['', 'plain ASCII', 'naïve café — 東京 🚀 (a pair of surrogates)', 'tab\tand\nnewline', '\u007F\u0001 controls besides NUL']) {
      expect(isStorableText(text), JSON.stringify(text)).toBe(true);
      expect(storableText(text)).toBe(text);
    }
  });

  it('replaces each NUL with U+FFFD', () => {
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(storableText('a\u0000b\u0000\u0000')).toBe(`a${REPLACEMENT}b${REPLACEMENT}${REPLACEMENT}`);
  });

  it('replaces half a surrogate pair with U+FFFD and keeps the whole pairs beside it', () => {
    const highAlone = '\uD83D';
    const lowAlone = '\uDE80';
    expect(isStorableText(`x${highAlone}`)).toBe(false);
    expect(isStorableText(`${lowAlone}x`)).toBe(false);
    expect(storableText(`🚀${highAlone}x${lowAlone}🚀`)).toBe(`🚀${REPLACEMENT}x${REPLACEMENT}🚀`);
    // Reversed halves are two lone halves, not a pair.
    expect(storableText(`${lowAlone}${highAlone}`)).toBe(REPLACEMENT + REPLACEMENT);
  });

  it('keeps the length: one U+FFFD for each unit it replaces', () => {
    const text = `\u0000${'\uD800'}ok\u0000`;
    expect(storableText(text)).toHaveLength(text.length);
  });
});

describe('storableLines', () => {
  it('hands back the batch itself when every message is storable', () => {
    const lines = [{ level: 'INFO', message: 'fine' }, { level: 'ERROR', message: 'also fine ✓' }];
    expect(storableLines(lines)).toBe(lines);
  });

  it('copies the batch when a message has to change, keeping the other fields and leaving the input alone', () => {
    const lines = [
      { level: 'INFO', message: 'fine', seqHint: 1 },
      { level: 'WARNING', message: 'nul\u0000here', seqHint: 2 },
    ];
    const stored = storableLines(lines);
    expect(stored).not.toBe(lines);
    expect(stored).toEqual([
      { level: 'INFO', message: 'fine', seqHint: 1 },
      { level: 'WARNING', message: `nul${REPLACEMENT}here`, seqHint: 2 },
    ]);
    expect(lines[1]!.message).toBe('nul\u0000here');
  });
});

describe('levelRank', () => {
  it('orders the levels from DEBUG to CRITICAL, as minLevel filters them', () => {
    expect(LOG_LEVELS.map(levelRank)).toEqual([0, 1, 2, 3, 4]);
    expect(levelRank('DEBUG')).toBeLessThan(levelRank('INFO'));
    expect(levelRank('WARNING')).toBeLessThan(levelRank('ERROR'));
    expect(levelRank('ERROR')).toBeLessThan(levelRank('CRITICAL'));
  });
});
