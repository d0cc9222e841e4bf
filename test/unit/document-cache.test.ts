/** The parser cache's bound by bytes: estimates, eviction order, and entries too large to keep. */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ByteBoundedCache, documentBytes } from '../../server/graphql/plugins/documentCache.ts';

const sized = (maxBytes: number, maxEntries = 100) => new ByteBoundedCache<string>({ maxBytes, maxEntries, sizeOf: (_key, value) => value.length });

describe('ByteBoundedCache', () => {
  it('drops the least recently used entries once the bytes are over the budget', () => {
    const cache = sized(100);
    cache.set('a', 'x'.repeat(10));
    cache.set('b', 'x'.repeat(10));
    cache.set('c', 'x'.repeat(10));
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    // Eleven entries of 10 bytes: one has to go, and it is b, the least recently used.
    for (let i = 0; i < 8; i++) cache.set(`n${i}`, 'x'.repeat(10));
    expect(cache.heldBytes).toBe(100);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
  });

  it('keeps no more entries than its count limit whatever their size', () => {
    const cache = sized(1_000_000, 3);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, 'x');
    expect(cache.size).toBe(3);
    expect(cache.get('k9')).toBe('x');
  });

  it('does not keep an entry larger than an eighth of the budget, and forgets what it replaced', () => {
    const cache = sized(80);
    cache.set('small', 'x'.repeat(5));
    cache.set('small', 'x'.repeat(11));
    expect(cache.get('small')).toBeUndefined();
    expect(cache.heldBytes).toBe(0);
  });
});

describe('documentBytes', () => {
  it('counts what a parsed document holds per token, so that token-dense documents weigh more than comments', () => {
    const dense = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}`).join(' ')} }`;
    const comment = `# ${'c'.repeat(dense.length)}\n{ a }`;
    expect(documentBytes(dense, parse(dense))).toBeGreaterThan(500 * 500);
    expect(documentBytes(comment, parse(comment))).toBeLessThan(comment.length * 2 + 10 * 512);
  });
});
