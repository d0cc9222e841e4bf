/** The scrapers a scheduler pass looks at: enabled, not paused, with a cron expression. */
import type pg from 'pg';
import type { MissedRunPolicy } from '../../db/generated/prisma/enums.ts';

export type ScheduledScraper = {
  id: number;
  cron: string;
  timezone: string;
  missedRunPolicy: MissedRunPolicy;
  /** Fire times up to here are dealt with. */
  scheduledThrough: Date;
};

export const SCHEDULED_SCRAPER_COLUMNS = `id, cron, timezone, missed_run_policy AS "missedRunPolicy",
       coalesce(scheduled_through, created_at) AS "scheduledThrough"`;

export async function listScheduledScrapers(pool: pg.Pool): Promise<ScheduledScraper[]> {
  const { rows } = await pool.query<ScheduledScraper>({
    name: 'list_scheduled_scrapers',
    text: `SELECT ${SCHEDULED_SCRAPER_COLUMNS}
             FROM scraper
            WHERE enabled AND NOT paused AND cron IS NOT NULL
            ORDER BY id`,
  });
  return rows;
}
