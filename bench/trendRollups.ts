/**
 * Fills the trends rollups for the bulk data: the trends migration's own backfill over the loaded
 * runs (scraper days), and source days for every bulk source over the same 180 days. The bulk runs
 * carry no quality summary, so each source day is made up with the shape a real one has: 8
 * categories, 6 missing fields, a drift and its 5 categories. The queries read rows, not values.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';

const MIGRATION = new URL('../prisma/migrations/20261207120000_trends/migration.sql', import.meta.url);

export async function fillTrendRollups(client: pg.ClientBase, sourceIds: number[]): Promise<void> {
  const migration = await readFile(MIGRATION, 'utf8');
  // The backfill recomputes every day from the runs; the days the live phases' runs have already
  // rolled up (runs that ended, or whose lease ran out, before this) would collide with it.
  await client.query('DELETE FROM scraper_day; DELETE FROM source_day');
  await client.query(migration.slice(migration.indexOf('-- Backfill:')));
  await client.query(
    `INSERT INTO source_day (source_id, day, ended_at, products, missing, categories, outliers, drift, drift_categories)
     SELECT s.id, d.day::date, d.day + interval '12 hours', 1000 + (s.id * 31 + n.k) % 500,
            (SELECT jsonb_agg(jsonb_build_object('field', f, 'count', (s.id + n.k + length(f)) % 200) ORDER BY f)
               FROM unnest(ARRAY['brand', 'category', 'cbdPercent', 'price', 'thcPercent', 'url']) AS f),
            (SELECT jsonb_object_agg(c, 50 + (s.id * 7 + n.k * 13 + length(c) * 17) % 150)
               FROM unnest(ARRAY['flower', 'edibles', 'vapes', 'oils', 'topicals', 'seeds', 'accessories', 'concentrates']) AS c),
            (s.id + n.k) % 9, ((s.id + n.k) % 100) / 1000.0,
            (SELECT jsonb_agg(jsonb_build_object('category', c, 'share', 0.125, 'trailingShare', 0.1))
               FROM unnest(ARRAY['flower', 'edibles', 'vapes', 'oils', 'topicals']) AS c)
       FROM unnest($1::int[]) AS s(id)
      CROSS JOIN generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - interval '179 days',
                                 date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS d(day)
      CROSS JOIN LATERAL (SELECT extract(doy FROM d.day)::int AS k) AS n
         ON CONFLICT (source_id, day) DO NOTHING`,
    [sourceIds],
  );
  await client.query(`ANALYZE scraper_day; ANALYZE source_day`);
}
