/**
 * What a scheduler pass owes one scraper at a moment: nothing, its newest fire time on time, or a
 * fire time that passed while no scheduler ran (then the scraper's missed-run policy decides).
 * Pure, so the rules are tested without a clock.
 */
import { fireTimesBetween, latestFireAt } from './cronSchedule.ts';
import type { ScheduledScraper } from './sql/listScheduledScrapers.ts';

/** Older fire times of one gap recorded as missed: the newest ones, enough to see what was lost. */
export const MAX_MISSED_RECORDED = 100;

export type TickDecision = {
  fireAt: Date;
  /** The fire time is older than the grace period: nobody was scheduling when it came. */
  caughtUp: boolean;
  /** False when the tick is only recorded (a missed tick under the SKIP policy). */
  queueRun: boolean;
  /** The older fire times since the cursor, newest first (at most MAX_MISSED_RECORDED): each is recorded as SKIPPED_MISSED. */
  missed: Date[];
};

export function decideTick(scraper: ScheduledScraper, now: Date, graceSeconds: number): TickDecision | null {
  const fireAt = latestFireAt(scraper.cron, scraper.timezone, now);
  // Fire times at or before the cursor were dealt with, or belong to a cron or pause that is gone.
  if (fireAt.getTime() <= scraper.scheduledThrough.getTime()) return null;
  // At most one run per gap: the older fire times in (scheduledThrough, fireAt) run nothing, whatever the
  // policy, but each is recorded, so that an operator sees what was missed.
  const missed = fireTimesBetween(scraper.cron, scraper.timezone, scraper.scheduledThrough, fireAt, MAX_MISSED_RECORDED);
  const caughtUp = now.getTime() - fireAt.getTime() > graceSeconds * 1000;
  return { fireAt, caughtUp, queueRun: !caughtUp || scraper.missedRunPolicy === 'RUN_ONCE', missed };
}
