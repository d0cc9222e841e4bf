/**
 * The fire times each scraper missed (recorded as SKIPPED_MISSED), for schedulerStatus: how many in
 * the kept history, and the newest few, read per scraper along the (scraper, outcome, fire time) index.
 */
import type pg from 'pg';
import type { SchedulerTick } from '../../db/generated/prisma/client.ts';

export type MissedTicks = { count: number; newest: SchedulerTick[] };

export async function missedTicksByScraper(pool: pg.Pool, newest: number): Promise<Map<number, MissedTicks>> {
  const { rows } = await pool.query<SchedulerTick & { count: number }>({
    name: 'missed_ticks_by_scraper',
    text: `SELECT t.id, s.id AS "scraperId", t.fire_at AS "fireAt", t.outcome, t.caught_up AS "caughtUp",
                  t.run_id AS "runId", t.recorded_at AS "recordedAt", missed.count
             FROM scraper s
            CROSS JOIN LATERAL (SELECT count(*)::int AS count FROM scheduler_tick
                                 WHERE scraper_id = s.id AND outcome = 'SKIPPED_MISSED') missed
            CROSS JOIN LATERAL (SELECT * FROM scheduler_tick
                                 WHERE scraper_id = s.id AND outcome = 'SKIPPED_MISSED'
                                 ORDER BY fire_at DESC LIMIT $1) t
            ORDER BY s.id, t.fire_at DESC`,
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
