/**
 * Whether a scheduled scraper missed a run at a moment, decided without the database: its newest
 * fire time older than the grace passed with no run started since (and none running). Fire times
 * from before the scraper was watched (made, or its schedule changed, enabled or resumed) do not count.
 */
import { latestFireAt } from '../../scheduler/cronSchedule.ts';
import { describeRequiredLabels } from '../../../contract/runnerLabels.ts';
import type { ScraperScheduleWatch } from './sql/scheduleWatch.ts';

/** The fire time whose run never started, or null when none is missing. */
export function missedFireAt(s: ScraperScheduleWatch, graceMinutes: number, now: Date): Date | null {
  if (!s.scheduled || s.cron === null) return null;
  const fireAt = latestFireAt(s.cron, s.timezone, new Date(now.getTime() - graceMinutes * 60_000));
  if (fireAt.getTime() <= s.watchedSince.getTime()) return null;
  if (s.running || (s.lastStartedAt !== null && s.lastStartedAt.getTime() >= fireAt.getTime())) return null;
  return fireAt;
}

export function describeMissingRun(s: ScraperScheduleWatch, fireAt: Date, graceMinutes: number): string {
  const due = `${s.name} was due at ${fireAt.toISOString()} (cron "${s.cron}", ${s.timezone}) and no run had started ${graceMinutes} minutes later.`;
  return s.queuedRunId !== null && s.queuedAt !== null
    ? `${due} Run ${s.queuedRunId} has been ${describeRequiredLabels(s.queuedLabels ?? [])} since ${s.queuedAt.toISOString()}: are the runners${
        s.queuedLabels?.length ? ' with those labels' : ''
      } down?`
    : `${due} No run is waiting either: is the scheduler down?`;
}

export function describeRecovery(s: ScraperScheduleWatch | undefined): string {
  if (!s || !s.scheduled) return 'The scraper is no longer scheduled (disabled, paused, deleted or without cron)';
  if (s.running || s.lastStartedAt !== null) return `A run of ${s.name} started${s.lastStartedAt ? ` at ${s.lastStartedAt.toISOString()}` : ''}`;
  return `${s.name}'s schedule changed`;
}
