/**
 * Makes a run its source's rollup for the UTC day it ended (source_day), when the runner completed it
 * with products and it ended after the run the day holds: the day shows its latest delivery. Missing
 * fields and outliers come from the run's own quality summary (stored by the same transaction), the
 * category distribution from the products it stored. The day's drift is then measured again.
 */
import type pg from 'pg';
import { measureSourceDayDrift } from './measureSourceDayDrift.ts';

export async function putRunOnSourceDay(client: pg.ClientBase, runId: number): Promise<void> {
  const { rows } = await client.query<{ sourceId: number; day: string }>({
    name: 'put_run_on_source_day',
    text: `INSERT INTO source_day (source_id, day, run_id, ended_at, products, missing, categories, outliers)
           SELECT s.source_id, (r.completed_at AT TIME ZONE 'UTC')::date, r.id, r.completed_at,
                  (r.quality->>'productCount')::int,
                  coalesce((SELECT jsonb_agg(jsonb_build_object('field', m->>'field', 'count', (m->>'missing')::int) ORDER BY m->>'field')
                              FROM jsonb_array_elements(r.quality->'missingFields') AS m), '[]'),
                  coalesce((SELECT jsonb_object_agg(c.category, c.n)
                              FROM (SELECT p.category, count(*) AS n FROM product p
                                     WHERE p.run_id = r.id AND p.category IS NOT NULL
                                     GROUP BY p.category) AS c), '{}'),
                  coalesce((r.quality->>'outliers')::int, 0)
             FROM run r
             JOIN scraper s ON s.id = r.scraper_id
            WHERE r.id = $1
              AND r.status IN ('SUCCESS', 'WARNING', 'ERROR') AND r.completed_at IS NOT NULL
              AND (r.quality->>'productCount')::int > 0
           ON CONFLICT (source_id, day) DO UPDATE
              SET run_id = excluded.run_id, ended_at = excluded.ended_at, products = excluded.products,
                  missing = excluded.missing, categories = excluded.categories, outliers = excluded.outliers
            WHERE (source_day.ended_at, coalesce(source_day.run_id, 0)) < (excluded.ended_at, excluded.run_id)
           RETURNING source_id AS "sourceId", day::text AS day`,
    values: [runId],
  });
  const placed = rows[0];
  if (placed) await measureSourceDayDrift(client, placed.sourceId, placed.day);
}
