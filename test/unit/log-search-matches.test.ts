import { describe, expect, it } from 'vitest';
import { matchRanges } from '../../server/logs/search/matchRanges.ts';
import { containsPattern } from '../../server/logs/search/likePattern.ts';
import { searchProblem } from '../../server/logs/search/searchLimits.ts';

const at = (message: string, query: string) => matchRanges(message, query).map(({ start, length }) => message.slice(start, start + length));

describe('matchRanges', () => {
  it('gives every occurrence, case-insensitively, left to right and not overlapping', () => {
    expect(matchRanges('403 Forbidden, then forbidden again: FORBIDDEN', 'forbidden')).toEqual([
      { start: 4, length: 9 },
      { start: 20, length: 9 },
      { start: 37, length: 9 },
    ]);
    expect(matchRanges('aaaa', 'aa')).toEqual([{ start: 0, length: 2 }, { start: 2, length: 2 }]);
    expect(matchRanges('nothing here', 'absent')).toEqual([]);
  });

  it('counts offsets in UTF-16 code units: an emoji before the match is two', () => {
    const message = '🕷️ crawled 😀 Timeout';
    const [range] = matchRanges(message, 'timeout');
    expect(range).toEqual({ start: message.indexOf('Timeout'), length: 7 });
    expect(message.indexOf('Timeout')).toBe(15);
  });

  it('keeps offsets in the original where lowercase would change the length (İ lowercases to two code points in JS)', () => {
    const message = 'İstanbul İSTANBUL proxy';
    expect(at(message, 'istanbul')).toEqual(['İstanbul', 'İSTANBUL']);
    expect(at(message, 'proxy')).toEqual(['proxy']);
    expect(matchRanges(message, 'proxy')).toEqual([{ start: 18, length: 5 }]);
  });

  it('finds non-ASCII letters in either case, and astral characters in the query', () => {
    expect(at('ÄRGER mit ärger', 'äRGER')).toEqual(['ÄRGER', 'ärger']);
    expect(at('a😀b 😀B', '😀b')).toEqual(['😀b', '😀B']);
  });
});

describe('containsPattern', () => {
  it('escapes the LIKE wildcards and the escape character itself', () => {
    expect(containsPattern(`50%_off \\ "quoted" 'single'`)).toBe(`%50\\%\\_off \\\\ "quoted" 'single'%`);
  });
});

describe('searchProblem', () => {
  const base = { scraperId: null, minLevel: null, since: null, until: null };
  const now = new Date('2026-12-07T12:00:00Z');

  it('lets a query with three letters or digits in a row search everything', () => {
    expect(searchProblem({ ...base, query: '403' }, now)).toBeNull();
    expect(searchProblem({ ...base, query: 'Zürich 5' }, now)).toBeNull();
    // Trigrams are taken from letters and digits only: punctuation, spaced letters or emoji give the index nothing.
    for (const query of ['---', 'a b c', '😀😀😀', 'a_b']) expect(searchProblem({ ...base, query }, now)?.path).toEqual(['query']);
  });

  it('refuses a shorter query without a narrowing filter, and takes it with a scraper or a day', () => {
    expect(searchProblem({ ...base, query: 'ab' }, now)?.path).toEqual(['query']);
    expect(searchProblem({ ...base, query: '😀😀' }, now)?.path).toEqual(['query']);
    expect(searchProblem({ ...base, query: 'ab', scraperId: '4' }, now)).toBeNull();
    expect(searchProblem({ ...base, query: 'ab', since: new Date('2026-12-06T13:00:00Z') }, now)).toBeNull();
    expect(searchProblem({ ...base, query: 'ab', since: new Date('2026-12-01T00:00:00Z'), until: new Date('2026-12-01T23:00:00Z') }, now)).toBeNull();
    expect(searchProblem({ ...base, query: 'ab', since: new Date('2026-12-05T00:00:00Z') }, now)?.path).toEqual(['query']);
    expect(searchProblem({ ...base, query: 'ab', until: new Date('2026-12-07T00:00:00Z') }, now)?.path).toEqual(['query']);
  });

  it('asks the same narrowing of a search below the indexed levels, whatever its length', () => {
    expect(searchProblem({ ...base, query: '403 Forbidden', minLevel: 'CRITICAL' }, now)).toBeNull();
    expect(searchProblem({ ...base, query: '403 Forbidden', minLevel: 'WARNING' }, now)?.message).toMatch(/minLevel below ERROR/);
    expect(searchProblem({ ...base, query: '403 Forbidden', minLevel: 'DEBUG', scraperId: '4' }, now)).toBeNull();
  });

  it('refuses an empty, an overlong or a NUL-holding query, and an until before since', () => {
    expect(searchProblem({ ...base, query: '' }, now)?.message).toMatch(/empty/);
    expect(searchProblem({ ...base, query: 'x'.repeat(201) }, now)?.message).toMatch(/at most 200/);
    expect(searchProblem({ ...base, query: 'a\u0000bc' }, now)?.message).toMatch(/NUL/);
    expect(searchProblem({ ...base, query: 'abc', since: now, until: now }, now)?.path).toEqual(['filter', 'until']);
  });
});
