/**
 * The last `days` days of each scraper's rollup, today included, in its schedule zone: one row per
 * scraper and day, days without runs as zeros. Reads only the window's rollup rows (by primary key),
 * however many runs the scrapers have.
 */
import type pg from 'pg';
import { countingZones } from '../countingZone.ts';

export type ScraperTrendDayRow = {
  scraperId: number;
  timezone: string;
  day: string;
  succeeded: number;
  warned: number;
  failed: number;
  cancelled: number;
  /** Seconds, in no particular order; the percentiles are taken in the caller (cheaper there than an aggregate per row). */
  durations: number[];
  productsFound: number;
  warningLines: number;
  errorLines: number;
};

export async function readScraperTrends(pool: pg.Pool, scraperIds: readonly number[], days: number): Promise<ScraperTrendDayRow[]> {
  const { rows: scrapers } = await pool.query<{ id: number; cron: string | null; timezone: string }>({
    name: 'read_trend_scraper_zones',
    text: `SELECT id, cron, timezone FROM scraper WHERE id = ANY($1::int[])`,
    values: [scraperIds],
  });
  const [ids, zones] = countingZones(scrapers);
  const { rows } = await pool.query<ScraperTrendDayRow>({
    name: 'read_scraper_trends',
    // One primary-key probe per scraper and day (a lateral join): a hash join would read every day the scrapers ever had.
    text: `SELECT s.id AS "scraperId", zone.label AS timezone, (z.today - k.n)::text AS day,
                  coalesce(sd.succeeded, 0) AS succeeded, coalesce(sd.warned, 0) AS warned,
                  coalesce(sd.failed, 0) AS failed, coalesce(sd.cancelled, 0) AS cancelled,
                  coalesce(sd.durations, '{}') AS durations,
                  coalesce(sd.products_found, 0) AS "productsFound",
                  coalesce(sd.warning_lines, 0) AS "warningLines", coalesce(sd.error_lines, 0) AS "errorLines"
             FROM scraper s
             -- Today in the zone as Intl reads it (countingZone), labelled with the scraper's own name for it.
             JOIN unnest($1::int[], $3::text[]) AS c(scraper_id, tz) ON c.scraper_id = s.id
            CROSS JOIN LATERAL (SELECT CASE WHEN s.cron IS NULL THEN 'UTC' ELSE s.timezone END) AS zone(label)
            CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE c.tz)::date AS today) AS z
            CROSS JOIN generate_series(0, $2::int - 1) AS k(n)
             LEFT JOIN LATERAL (SELECT * FROM scraper_day d WHERE d.scraper_id = s.id AND d.day = z.today - k.n) AS sd ON true
            ORDER BY s.id, k.n DESC`,
    values: [ids, days, zones],
  });
  return rows;
}
