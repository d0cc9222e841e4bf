/**
 * Deals with one due tick of one scraper in a transaction: decides on the locked scraper row, records
 * the tick (and the older fire times it passed over, as SKIPPED_MISSED), queues its run unless one is
 * already queued or running, and moves the cursor forward.
 * The unique (scraper, fire time) key is what makes a tick fire once when several instances reach it.
 */
import type pg from 'pg';
import type { SchedulerTickOutcome } from '../../db/generated/prisma/enums.ts';
import { withTransaction } from '../../db/withTransaction.ts';
import { enqueueRun } from '../../runs/sql/enqueueRun.ts';
import { decideTick } from '../decideTick.ts';
import { SCHEDULED_SCRAPER_COLUMNS, type ScheduledScraper } from './listScheduledScrapers.ts';

/** How long a pass waits for a scraper's lock before it leaves the scraper to the next pass. */
const LOCK_WAIT = '5s';
/** Tick history kept per scraper; each tick prunes its own scraper's older rows along the unique index. */
export const TICK_RETENTION_DAYS = 30;

export type RecordedTick = { scraperId: number; fireAt: Date; outcome: SchedulerTickOutcome; caughtUp: boolean; runId: number | null };

/** notify: NOTIFY the queued run in the transaction (the PostgreSQL bus). */
export async function recordTick(pool: pg.Pool, scraperId: number, now: Date, graceSeconds: number, notify = true): Promise<RecordedTick | null> {
  return withTransaction(pool, async (client) => {
    // Waits its turn behind a trigger or another instance's pass (each holds the lock for milliseconds),
    // rather than skip the scraper and find its fire time missed at the next pass.
    await client.query(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
    const { rows } = await client.query<ScheduledScraper>({
      name: 'lock_scheduled_scraper',
      text: `SELECT ${SCHEDULED_SCRAPER_COLUMNS}
               FROM scraper
              WHERE id = $1 AND enabled AND NOT paused AND cron IS NOT NULL
                FOR NO KEY UPDATE`,
      values: [scraperId],
    });
    // Paused, disabled or unscheduled since the pass listed it, or another instance dealt with it meanwhile.
    const decision = rows[0] ? decideTick(rows[0], now, graceSeconds) : null;
    if (!decision) return null;
    const { rows: active } = await client.query({
      name: 'scraper_has_active_run',
      text: `SELECT 1 FROM run WHERE scraper_id = $1 AND status IN ('QUEUED', 'RUNNING') LIMIT 1`,
      values: [scraperId],
    });
    const outcome: SchedulerTickOutcome = !decision.queueRun ? 'SKIPPED_MISSED' : active.length > 0 ? 'SKIPPED_OVERLAP' : 'QUEUED';
    const { rows: inserted } = await client.query<{ id: number }>({
      name: 'insert_scheduler_tick',
      text: `INSERT INTO scheduler_tick (scraper_id, fire_at, outcome, caught_up)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (scraper_id, fire_at) DO NOTHING
             RETURNING id`,
      values: [scraperId, decision.fireAt, outcome, decision.caughtUp],
    });
    if (inserted[0] && decision.missed.length > 0) {
      await client.query({
        name: 'insert_missed_scheduler_ticks',
        text: `INSERT INTO scheduler_tick (scraper_id, fire_at, outcome, caught_up)
               SELECT $1, fire_at, 'SKIPPED_MISSED', $3::timestamptz - fire_at > make_interval(secs => $4)
                 FROM unnest($2::timestamptz[]) AS fire_at
               ON CONFLICT (scraper_id, fire_at) DO NOTHING`,
        values: [scraperId, decision.missed, now, graceSeconds],
      });
    }
    let runId: number | null = null;
    if (inserted[0] && outcome === 'QUEUED') {
      runId = await enqueueRun(client, { scraperId, triggeredBy: 'SCHEDULER', notify });
      await client.query({ name: 'link_scheduler_tick_run', text: `UPDATE scheduler_tick SET run_id = $2 WHERE id = $1`, values: [inserted[0].id, runId] });
    }
    await client.query({
      name: 'prune_scheduler_ticks',
      text: `DELETE FROM scheduler_tick WHERE scraper_id = $1 AND fire_at < $2::timestamptz - make_interval(days => $3)`,
      values: [scraperId, decision.fireAt, TICK_RETENTION_DAYS],
    });
    await client.query({
      name: 'advance_scheduled_through',
      text: `UPDATE scraper SET scheduled_through = greatest(coalesce(scheduled_through, created_at), $2) WHERE id = $1`,
      values: [scraperId, now],
    });
    return inserted[0] ? { scraperId, fireAt: decision.fireAt, outcome, caughtUp: decision.caughtUp, runId } : null;
  });
}
