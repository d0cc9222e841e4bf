/** Drives the scheduler in tests: moments on a minute grid after the real clock, scraper schedule fields, and pass shortcuts. */
import type pg from 'pg';
import { createLogger } from '../../server/logger.ts';
import { runSchedulerPass, type PassOptions } from '../../server/scheduler/runSchedulerPass.ts';

export const PASS_OPTIONS: PassOptions = { graceSeconds: 180, retryBackoffSeconds: 30 };

const silent = createLogger('silent');

/** The start of the n-th whole minute after the real clock (n >= 1), plus `seconds`. */
export function minuteFromNow(n: number, seconds = 0): Date {
  return new Date((Math.floor(Date.now() / 60_000) + n) * 60_000 + seconds * 1000);
}

/** One scheduler pass at `now`, as the engine's tick job would run it. */
export function passAt(pool: pg.Pool, now: Date, options: PassOptions = PASS_OPTIONS) {
  return runSchedulerPass(pool, silent, now, options);
}

export async function setSchedule(
  pool: pg.Pool,
  scraperId: number,
  fields: { cron?: string | null; timezone?: string; missedRunPolicy?: 'SKIP' | 'RUN_ONCE'; maxRetries?: number; scheduledThrough?: Date },
): Promise<void> {
  await pool.query(
    `UPDATE scraper
        SET cron = CASE WHEN $2 THEN $3 ELSE cron END,
            timezone = coalesce($4, timezone),
            missed_run_policy = coalesce($5::"MissedRunPolicy", missed_run_policy),
            max_retries = coalesce($6, max_retries),
            scheduled_through = coalesce($7, scheduled_through)
      WHERE id = $1`,
    [
      scraperId,
      fields.cron !== undefined,
      fields.cron ?? null,
      fields.timezone ?? null,
      fields.missedRunPolicy ?? null,
      fields.maxRetries ?? null,
      fields.scheduledThrough ?? null,
    ],
  );
}

export type RunRow = { id: number; status: string; triggeredBy: string; retryCount: number; retryOfId: number | null; errorType: string | null };

export async function runsOf(pool: pg.Pool, scraperId: number): Promise<RunRow[]> {
  const { rows } = await pool.query<RunRow>(
    `SELECT id, status, triggered_by AS "triggeredBy", retry_count AS "retryCount", retry_of_id AS "retryOfId", error_type AS "errorType"
       FROM run WHERE scraper_id = $1 ORDER BY id`,
    [scraperId],
  );
  return rows;
}

export type TickRow = { fireAt: Date; outcome: string; caughtUp: boolean; runId: number | null };

export async function ticksOf(pool: pg.Pool, scraperId: number): Promise<TickRow[]> {
  const { rows } = await pool.query<TickRow>(
    `SELECT fire_at AS "fireAt", outcome, caught_up AS "caughtUp", run_id AS "runId"
       FROM scheduler_tick WHERE scraper_id = $1 ORDER BY fire_at`,
    [scraperId],
  );
  return rows;
}

/** Ends every queued or running run of the scraper, so that the next tick does not overlap. */
export async function finishActiveRuns(pool: pg.Pool, scraperId: number): Promise<void> {
  await pool.query(
    `UPDATE run SET status = 'SUCCESS', completed_at = now() WHERE scraper_id = $1 AND status IN ('QUEUED', 'RUNNING')`,
    [scraperId],
  );
}
