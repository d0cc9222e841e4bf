/**
 * Counts runs that have just ended into their scrapers' daily rollups (scraper_day), on the day each
 * ended in its scraper's schedule zone (UTC without a cron). Called in the transaction that ended the
 * runs, only with runs that transaction moved to a final state: a run's end happens once, so it is
 * counted once however often its end is retried. The migration's backfill uses the same rule.
 */
import type pg from 'pg';
import { countingZones } from '../countingZone.ts';

export async function addRunsToScraperDays(client: pg.ClientBase, runIds: readonly number[]): Promise<void> {
  if (runIds.length === 0) return;
  const { rows: scrapers } = await client.query<{ id: number; cron: string | null; timezone: string }>({
    name: 'scrapers_of_ended_runs',
    text: `SELECT DISTINCT s.id, s.cron, s.timezone FROM run r JOIN scraper s ON s.id = r.scraper_id WHERE r.id = ANY($1::int[])`,
    values: [runIds],
  });
  const [scraperIds, zones] = countingZones(scrapers);
  await client.query({
    name: 'add_runs_to_scraper_days',
    text: `INSERT INTO scraper_day (scraper_id, day, timezone, succeeded, warned, failed, cancelled, durations,
                                    products_found, warning_lines, error_lines)
           SELECT r.scraper_id, (r.completed_at AT TIME ZONE z.tz)::date, zl.label,
                  count(*) FILTER (WHERE r.status = 'SUCCESS'),
                  count(*) FILTER (WHERE r.status = 'WARNING'),
                  count(*) FILTER (WHERE r.status = 'ERROR'),
                  count(*) FILTER (WHERE r.status = 'CANCELLED'),
                  -- A cancelled run was cut short by a person: its duration says nothing of the scraper's speed.
                  coalesce(array_agg(r.duration_seconds ORDER BY r.completed_at, r.id)
                             FILTER (WHERE r.status <> 'CANCELLED' AND r.duration_seconds IS NOT NULL), '{}'),
                  coalesce(sum(r.products_found), 0),
                  coalesce(sum(r.warning_count), 0),
                  coalesce(sum(r.error_count + r.critical_count), 0)
             FROM run r
             JOIN scraper s ON s.id = r.scraper_id
            -- Counted in the zone as Intl reads it (countingZone), labelled with the scraper's own name for it.
            JOIN unnest($2::int[], $3::text[]) AS z(scraper_id, tz) ON z.scraper_id = s.id
            CROSS JOIN LATERAL (SELECT CASE WHEN s.cron IS NULL THEN 'UTC' ELSE s.timezone END) AS zl(label)
            WHERE r.id = ANY($1::int[])
              AND r.status IN ('SUCCESS', 'WARNING', 'ERROR', 'CANCELLED') AND r.completed_at IS NOT NULL
            GROUP BY r.scraper_id, 2, zl.label
           ON CONFLICT (scraper_id, day) DO UPDATE
              SET timezone = excluded.timezone,
                  succeeded = scraper_day.succeeded + excluded.succeeded,
                  warned = scraper_day.warned + excluded.warned,
                  failed = scraper_day.failed + excluded.failed,
                  cancelled = scraper_day.cancelled + excluded.cancelled,
                  durations = scraper_day.durations || excluded.durations,
                  products_found = scraper_day.products_found + excluded.products_found,
                  warning_lines = scraper_day.warning_lines + excluded.warning_lines,
                  error_lines = scraper_day.error_lines + excluded.error_lines`,
    values: [runIds, scraperIds, zones],
  });
}
