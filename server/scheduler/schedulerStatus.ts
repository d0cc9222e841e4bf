/** What the scheduler will do for each scraper: its schedule, its next fire times and its last tick. */
import type { Database } from '../db/database.ts';
import type { Scraper, SchedulerTick } from '../db/generated/prisma/client.ts';
import { nextFireTimes } from './cronSchedule.ts';

export const NEXT_FIRE_TIMES = 3;

export type ScraperScheduleStatus = { scraper: Scraper; nextFireTimes: Date[]; lastTick: SchedulerTick | null };

export async function scraperSchedules(db: Database, now: Date): Promise<ScraperScheduleStatus[]> {
  const [scrapers, lastTicks] = await Promise.all([
    db.prisma.scraper.findMany({ orderBy: { slug: 'asc' } }),
    db.prisma.schedulerTick.findMany({ distinct: ['scraperId'], orderBy: [{ scraperId: 'asc' }, { fireAt: 'desc' }] }),
  ]);
  const lastTickOf = new Map(lastTicks.map((tick) => [tick.scraperId, tick]));
  return scrapers.map((scraper) => ({
    scraper,
    // A paused or disabled scraper fires nothing, whatever its cron says.
    nextFireTimes:
      scraper.cron && scraper.enabled && !scraper.paused ? nextFireTimes(scraper.cron, scraper.timezone, now, NEXT_FIRE_TIMES) : [],
    lastTick: lastTickOf.get(scraper.id) ?? null,
  }));
}
