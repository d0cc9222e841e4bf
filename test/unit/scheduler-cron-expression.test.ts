/** What is wrong with a cron expression, said of the field at fault, and the macros the scheduler runs. */
import { describe, expect, it } from 'vitest';
import { cronProblem, toFiveFields } from '../../server/scheduler/cronExpression.ts';
import { nextFireTimes } from '../../server/scheduler/cronSchedule.ts';

const now = new Date('2026-12-06T15:00:00Z');
const problem = (cron: string) => cronProblem(cron, now);

describe('cronProblem', () => {
  it('accepts five fields that fire, names, steps, lists and ranges included', () => {
    for (const cron of ['*/15 * * * *', '0 9 * * mon-fri', '0 6,18 1-7 * 1', '0 0 29 2 *', ' 0  0 * * * ']) expect(problem(cron)).toBeNull();
  });

  it('says which field is out of range, and its range', () => {
    expect(problem('61 * * * *')).toBe('minute: 61 is out of range 0–59');
    expect(problem('0 24 * * *')).toBe('hour: 24 is out of range 0–23');
    expect(problem('0 0 32 * *')).toBe('day-of-month: 32 is out of range 1–31');
    expect(problem('0 0 * 13 *')).toBe('month: 13 is out of range 1–12');
    expect(problem('0 0 * * 8')).toBe('day-of-week: 8 is out of range 0–7');
  });

  it('says what else is wrong with a field', () => {
    expect(problem('5-2 * * * *')).toBe('minute: the range 5-2 runs backwards (5 is after 2)');
    expect(problem('*/0 * * * *')).toBe('minute: a step of 0 never advances');
    expect(problem('0 x * * *')).toBe('hour: "x" is not a number, range (1-5), step (*/15) or list (1,15)');
  });

  it('names the five fields when there are not five', () => {
    expect(problem('every day')).toBe('expected 5 fields: minute hour day-of-month month day-of-week; got 2');
    expect(problem('0 0 * * * *')).toBe('expected 5 fields: minute hour day-of-month month day-of-week; got 6 (seconds are not supported)');
  });

  it('refuses a schedule that never fires, naming the day and the months', () => {
    expect(problem('0 0 31 2 *')).toBe('day-of-month 31 never occurs in February: this schedule never fires');
    expect(problem('0 0 30 feb *')).toBe('day-of-month 30 never occurs in February: this schedule never fires');
    expect(problem('0 0 31 4,6 *')).toBe('day-of-month 31 never occurs in April or June: this schedule never fires');
    // One month of the list has a 31st: it fires.
    expect(problem('0 0 31 2,3 *')).toBeNull();
  });

  it('accepts the macros the scheduler runs and refuses the others', () => {
    for (const macro of ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@HOURLY']) expect(problem(macro)).toBeNull();
    expect(problem('@reboot')).toBe('@reboot is not a schedule the scheduler runs; use five fields or one of @yearly @annually @monthly @weekly @daily @midnight @hourly');
  });
});

describe('macros in the scheduler', () => {
  it('stand for their five fields', () => {
    expect(toFiveFields('@hourly')).toBe('0 * * * *');
    expect(toFiveFields('@weekly')).toBe('0 0 * * 0');
    expect(toFiveFields('0 6 * * *')).toBe('0 6 * * *');
  });

  it('fire as their five fields do, in the scraper’s time zone', () => {
    const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
    expect(iso(nextFireTimes('@hourly', 'UTC', now, 3))).toEqual(['2026-12-06T16:00:00.000Z', '2026-12-06T17:00:00.000Z', '2026-12-06T18:00:00.000Z']);
    expect(iso(nextFireTimes('@daily', 'Europe/Berlin', now, 1))).toEqual(['2026-12-06T23:00:00.000Z']);
  });
});
