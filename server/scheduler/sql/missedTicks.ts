/**
 * The fire times each scraper missed (recorded as SKIPPED_MISSED), for schedulerStatus: how many in
 * the kept history, and the newest few, in one statement along the (scraper, fire time) index.
 */
import type pg from 'pg';
import type { SchedulerTick } from '../../db/generated/prisma/client.ts';

export type MissedTicks = { count: number; newest: SchedulerTick[] };

export async function missedTicksByScraper(pool: pg.Pool, newest: number): Promise<Map<number, MissedTicks>> {
  const { rows } = await pool.query<SchedulerTick & { count: number }>({
    name: 'missed_ticks_by_scraper',
    text: `SELECT id, scraper_id AS "scraperId", fire_at AS "fireAt", outcome, caught_up AS "caughtUp",
                  run_id AS "runId", recorded_at AS "recordedAt", count::int
             FROM (SELECT t.*, row_number() OVER w AS rank, count(*) OVER (PARTITION BY scraper_id) AS count
                     FROM scheduler_tick t
                    WHERE outcome = 'SKIPPED_MISSED'
                   WINDOW w AS (PARTITION BY scraper_id ORDER BY fire_at DESC)) ranked
            WHERE rank <= $1
            ORDER BY scraper_id, fire_at DESC`,
    values: [newest],
  });
  const byScraper = new Map<number, MissedTicks>();
  for (const { count, ...tick } of rows) {
    let missed = byScraper.get(tick.scraperId);
    if (!missed) byScraper.set(tick.scraperId, (missed = { count, newest: [] }));
    missed.newest.push(tick);
  }
  return byScraper;
}
