/**
 * How old each source's data is: the completion of its scrapers' latest SUCCESS or WARNING run,
 * judged against the source's own thresholds on the database clock. A source never scraped well is CRITICAL.
 */
import type pg from 'pg';

type FreshnessStatusName = 'FRESH' | 'STALE' | 'CRITICAL';

export type SourceFreshnessRow = {
  sourceId: number;
  lastSuccessAt: Date | null;
  ageSeconds: number | null;
  status: FreshnessStatusName;
};

const SOURCE_FRESHNESS = `
SELECT s.id AS "sourceId",
       last.completed_at AS "lastSuccessAt",
       -- greatest() skips NULL, so a source never scraped needs its own branch to keep a null age.
       CASE WHEN last.completed_at IS NOT NULL
            THEN greatest(0, floor(extract(epoch FROM now() - last.completed_at)))::int8 END AS "ageSeconds",
       CASE WHEN last.completed_at IS NULL THEN 'CRITICAL'
            WHEN now() - last.completed_at >= make_interval(mins => s.critical_after_minutes) THEN 'CRITICAL'
            WHEN now() - last.completed_at >= make_interval(mins => s.stale_after_minutes) THEN 'STALE'
            ELSE 'FRESH' END AS status
  FROM source s
  -- One max() per scraper and status: each is a single probe of run (scraper_id, status, completed_at),
  -- where a join on status IN (…) would read every good run the source's scrapers ever had.
  LEFT JOIN LATERAL (
    SELECT max(greatest(
             (SELECT max(r.completed_at) FROM run r WHERE r.scraper_id = sc.id AND r.status = 'SUCCESS'),
             (SELECT max(r.completed_at) FROM run r WHERE r.scraper_id = sc.id AND r.status = 'WARNING'))) AS completed_at
      FROM scraper sc
     WHERE sc.source_id = s.id
  ) last ON true
 WHERE $1::int IS NULL OR s.id = $1
 ORDER BY s.name`;

export async function sourceFreshness(pool: pg.Pool, sourceId: number | null): Promise<SourceFreshnessRow[]> {
  const { rows } = await pool.query<SourceFreshnessRow>({ name: 'source_freshness', text: SOURCE_FRESHNESS, values: [sourceId] });
  return rows;
}
