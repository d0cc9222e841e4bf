/** The jobLogs history cursor: opaque, round-trips every seq, and refuses anything that is not one of ours. */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeLogCursor, encodeLogCursor } from '../../server/logs/logCursor.ts';

const MAX_SEQ = 2_147_483_647;
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function refusal(cursor: string): GraphQLError {
  try {
    decodeLogCursor(cursor);
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error(`${JSON.stringify(cursor)} was taken as a cursor`);
}

describe('the jobLogs cursor', () => {
  it('gives back the seq it was made from, up to the largest seq', () => {
    for (const seq of [0, 1, 9, 10, 200, 123_456, MAX_SEQ]) expect(decodeLogCursor(encodeLogCursor(seq))).toBe(seq);
  });

  it('is opaque: no seq a client could edit in place', () => {
    expect(encodeLogCursor(42)).not.toContain('42');
    expect(encodeLogCursor(42)).toBe(base64('LogLine:42'));
  });

  it('reads the empty endCursor of an empty first page as the start', () => {
    expect(decodeLogCursor('')).toBe(0);
  });

  it.each([
    ['a plain seq', '42'],
    ['another connection’s cursor', base64('Run:42')],
    ['a negative seq', base64('LogLine:-1')],
    ['a seq with a leading zero', base64('LogLine:042')],
    ['a seq past int4', base64(`LogLine:${MAX_SEQ + 1}`)],
    ['a fraction', base64('LogLine:1.5')],
    ['a cursor with its padding cut', encodeLogCursor(10).replace(/=+$/, '')],
    ['a cursor with a stray character', `${encodeLogCursor(7)}!`],
    ['an overlong text', base64(`LogLine:1${' '.repeat(100)}`)],
  ])('refuses %s as BAD_USER_INPUT on `after`', (_label, cursor) => {
    const error = refusal(cursor);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('after is not a jobLogs cursor: pass the endCursor of an earlier page');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });
});
