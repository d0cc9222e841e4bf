/** What the scheduler will do for each scraper: its schedule, its next fire times and its last tick. */
import type { Database } from '../db/database.ts';
import type { Scraper, SchedulerTick } from '../db/generated/prisma/client.ts';
import { nextFireTimes } from './cronSchedule.ts';
import { missedTicksByScraper, type MissedTicks } from './sql/missedTicks.ts';

const NEXT_FIRE_TIMES = 3;
/** Missed fire times shown per scraper; missedCount says how many there are in all. */
export const MISSED_TICKS_SHOWN = 20;

export type ScraperScheduleStatus = { scraper: Scraper; nextFireTimes: Date[]; lastTick: SchedulerTick | null; missed: MissedTicks };

export async function scraperSchedules(db: Database, now: Date): Promise<ScraperScheduleStatus[]> {
  const [scrapers, lastTicks, missed] = await Promise.all([
    db.prisma.scraper.findMany({ orderBy: { slug: 'asc' } }),
    db.prisma.schedulerTick.findMany({ distinct: ['scraperId'], orderBy: [{ scraperId: 'asc' }, { fireAt: 'desc' }] }),
    missedTicksByScraper(db.pool, MISSED_TICKS_SHOWN),
  ]);
  const lastTickOf = new Map(lastTicks.map((tick) => [tick.scraperId, tick]));
  return scrapers.map((scraper) => ({
    scraper,
    // A paused or disabled scraper fires nothing, whatever its cron says.
    nextFireTimes:
      scraper.cron && scraper.enabled && !scraper.paused ? nextFireTimes(scraper.cron, scraper.timezone, now, NEXT_FIRE_TIMES) : [],
    lastTick: lastTickOf.get(scraper.id) ?? null,
    missed: missed.get(scraper.id) ?? { count: 0, newest: [] },
  }));
}
