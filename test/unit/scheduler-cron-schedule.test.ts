/** Reading a cron expression in a scraper's time zone: which fire time is due at a moment, and which come next. */
import { describe, expect, it } from 'vitest';
import { fireTimesBetween, latestFireAt, nextFireTimes } from '../../server/scheduler/cronSchedule.ts';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('latestFireAt', () => {
  it('is the newest fire time before the moment', () => {
    expect(latestFireAt('*/5 * * * *', 'UTC', at('2026-01-15T12:07:59Z')).toISOString()).toBe('2026-01-15T12:05:00.000Z');
  });

  it('is the moment itself when a fire time falls exactly on it', () => {
    expect(latestFireAt('*/5 * * * *', 'UTC', at('2026-01-15T12:05:00Z')).toISOString()).toBe('2026-01-15T12:05:00.000Z');
    expect(latestFireAt('*/5 * * * *', 'UTC', at('2026-01-15T12:04:59.999Z')).toISOString()).toBe('2026-01-15T12:00:00.000Z');
  });

  it('reads the hours in the scraper’s time zone, summer time included', () => {
    expect(latestFireAt('0 9 * * *', 'Europe/Berlin', at('2026-01-15T12:00:00Z')).toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(latestFireAt('0 9 * * *', 'Europe/Berlin', at('2026-07-15T12:00:00Z')).toISOString()).toBe('2026-07-15T07:00:00.000Z');
    // Before 9:00 in Berlin, today's fire time has not come: it is yesterday's.
    expect(latestFireAt('0 9 * * *', 'Europe/Berlin', at('2026-07-15T06:59:00Z')).toISOString()).toBe('2026-07-14T07:00:00.000Z');
  });

  it('refuses an expression that is not cron', () => {
    expect(() => latestFireAt('every morning', 'UTC', at('2026-01-15T12:00:00Z'))).toThrow();
  });
});

describe('nextFireTimes', () => {
  it('lists the next fire times strictly after the moment, in order', () => {
    expect(iso(nextFireTimes('*/5 * * * *', 'UTC', at('2026-01-15T12:05:00Z'), 3))).toEqual([
      '2026-01-15T12:10:00.000Z',
      '2026-01-15T12:15:00.000Z',
      '2026-01-15T12:20:00.000Z',
    ]);
  });

  it('follows the change to summer time: the same local hour is an hour earlier in UTC', () => {
    // New York moves its clocks forward on 8 March 2026.
    expect(iso(nextFireTimes('0 9 * * *', 'America/New_York', at('2026-03-07T12:00:00Z'), 3))).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('fires once when the local time does not exist or exists twice at a change of clocks', () => {
    // 29 March 2026 in Berlin has no 02:30: the run comes at 03:30 local (01:30 UTC), once.
    expect(iso(nextFireTimes('30 2 * * *', 'Europe/Berlin', at('2026-03-28T12:00:00Z'), 2))).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    // 25 October 2026 has 02:30 twice (summer, then winter time): the run comes at the first only.
    expect(iso(nextFireTimes('30 2 * * *', 'Europe/Berlin', at('2026-10-24T12:00:00Z'), 2))).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });
});

describe('fireTimesBetween', () => {
  it('lists the fire times strictly between two moments, newest first', () => {
    expect(iso(fireTimesBetween('*/5 * * * *', 'UTC', at('2026-01-15T12:00:00Z'), at('2026-01-15T12:20:00Z'), 10))).toEqual([
      '2026-01-15T12:15:00.000Z',
      '2026-01-15T12:10:00.000Z',
      '2026-01-15T12:05:00.000Z',
    ]);
  });

  it('stops at the limit, keeping the newest', () => {
    const times = fireTimesBetween('* * * * *', 'UTC', at('2026-01-14T00:00:00Z'), at('2026-01-15T00:00:00Z'), 3);
    expect(iso(times)).toEqual(['2026-01-14T23:59:00.000Z', '2026-01-14T23:58:00.000Z', '2026-01-14T23:57:00.000Z']);
  });

  it('is empty when no fire time lies between them', () => {
    expect(fireTimesBetween('0 * * * *', 'UTC', at('2026-01-15T12:00:00Z'), at('2026-01-15T13:00:00Z'), 10)).toEqual([]);
  });
});
