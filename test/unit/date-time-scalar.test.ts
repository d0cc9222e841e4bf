/** The DateTime scalar: its fast path for runners' timestamps accepts exactly what the full RFC 3339 check accepts. */
import { Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar } from '../../server/graphql/scalars/dateTime.ts';

const parse = (value: unknown) => DateTimeScalar.parseValue(value) as Date;
/** The full check's answer: the instant, or 'refused'. */
const fullCheck = (value: string) => {
  try {
    return (DateTimeResolver.parseValue(value) as Date).getTime();
  } catch {
    return 'refused';
  }
};
const fastPath = (value: string) => {
  try {
    return parse(value).getTime();
  } catch {
    return 'refused';
  }
};

describe('the DateTime scalar', () => {
  it('reads the form Date#toISOString writes as that instant', () => {
    const instant = new Date('2024-05-06T07:08:09.123Z');
    expect(parse(instant.toISOString()).getTime()).toBe(instant.getTime());
    expect(parse('2024-02-29T23:59:59.999Z').toISOString()).toBe('2024-02-29T23:59:59.999Z');
  });

  it('refuses days and hours that do not exist instead of rolling them over', () => {
    for (const value of ['2023-02-29T00:00:00.000Z', '2024-02-30T00:00:00.000Z', '2024-04-31T12:00:00.000Z', '2024-01-01T24:00:00.000Z', '2024-01-01T23:60:00.000Z']) {
      expect(() => parse(value), value).toThrow();
    }
  });

  it('takes the other RFC 3339 forms through the full check', () => {
    expect(parse('2024-05-06T09:08:09+02:00').toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(parse('2024-05-06T07:08:09Z').toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(() => parse('yesterday')).toThrow();
  });

  it('answers like the full check for every timestamp of the common form, real or not', () => {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let seed = 42;
    const random = (below: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % below);
    for (let i = 0; i < 5000; i++) {
      const value = `${pad(1 + random(9999), 4)}-${pad(random(14), 2)}-${pad(random(33), 2)}T${pad(random(26), 2)}:${pad(random(61), 2)}:${pad(random(61), 2)}.${pad(random(1000), 3)}Z`;
      expect(fastPath(value), value).toBe(fullCheck(value));
    }
  });

  it('refuses instants before year 1, which PostgreSQL cannot store, in variables and in literals', () => {
    expect(parse('0001-01-01T00:00:00.000Z').toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(() => parse('0000-12-31T23:59:59.999Z')).toThrow(/earliest instant is 0001-01-01T00:00:00.000Z/);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '0000-06-01T00:00:00Z' }, {})).toThrow(/earliest instant/);
    expect((DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2024-05-06T07:08:09.123Z' }, {}) as Date).toISOString()).toBe('2024-05-06T07:08:09.123Z');
  });
});
