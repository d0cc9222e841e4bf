/** Reads a scraper's cron expression (five fields or a macro) in its time zone: the latest fire time at a moment, and the next ones after it. */
import { CronExpressionParser } from 'cron-parser';
import { toFiveFields } from './cronExpression.ts';

/** The newest fire time at or before `at`. */
export function latestFireAt(cron: string, timezone: string, at: Date): Date {
  // prev() answers strictly before its reference, so a fire time exactly at `at` needs the extra millisecond.
  return CronExpressionParser.parse(toFiveFields(cron), { tz: timezone, currentDate: new Date(at.getTime() + 1) }).prev().toDate();
}

/** The next `count` fire times strictly after `after`. */
export function nextFireTimes(cron: string, timezone: string, after: Date, count: number): Date[] {
  const interval = CronExpressionParser.parse(toFiveFields(cron), { tz: timezone, currentDate: after });
  return Array.from({ length: count }, () => interval.next().toDate());
}

/** Fire times strictly between `after` and `before`, newest first, at most `limit` of them. */
export function fireTimesBetween(cron: string, timezone: string, after: Date, before: Date, limit: number): Date[] {
  const interval = CronExpressionParser.parse(toFiveFields(cron), { tz: timezone, currentDate: before });
  const times: Date[] = [];
  while (times.length < limit) {
    const fireAt = interval.prev().toDate();
    if (fireAt.getTime() <= after.getTime()) break;
    times.push(fireAt);
  }
  return times;
}
