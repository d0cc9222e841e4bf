/**
 * How old each source's data is: the time since it last delivered products that passed its checks
 * (source.last_delivered_at, moved by published runs with products and no volume drop), judged
 * against the source's own thresholds on the database clock. A source that never delivered is
 * CRITICAL. Runs that failed, found nothing or were held do not make the data any newer.
 */
import type pg from 'pg';

type FreshnessStatusName = 'FRESH' | 'STALE' | 'CRITICAL';

export type SourceFreshnessRow = {
  sourceId: number;
  lastDeliveredAt: Date | null;
  ageSeconds: number | null;
  status: FreshnessStatusName;
};

const SOURCE_FRESHNESS = `
SELECT s.id AS "sourceId",
       s.last_delivered_at AS "lastDeliveredAt",
       -- greatest() skips NULL, so a source never delivered needs its own branch to keep a null age.
       CASE WHEN s.last_delivered_at IS NOT NULL
            THEN greatest(0, floor(extract(epoch FROM now() - s.last_delivered_at)))::int8 END AS "ageSeconds",
       CASE WHEN s.last_delivered_at IS NULL THEN 'CRITICAL'
            WHEN now() - s.last_delivered_at >= make_interval(mins => s.critical_after_minutes) THEN 'CRITICAL'
            WHEN now() - s.last_delivered_at >= make_interval(mins => s.stale_after_minutes) THEN 'STALE'
            ELSE 'FRESH' END AS status
  FROM source s
 WHERE $1::int IS NULL OR s.id = $1
 ORDER BY s.name`;

/** Every source (sourceId null) or one; usable on a pool or inside a caller's transaction. */
export async function sourceFreshness(client: pg.Pool | pg.ClientBase, sourceId: number | null): Promise<SourceFreshnessRow[]> {
  const { rows } = await client.query<SourceFreshnessRow>({ name: 'source_freshness', text: SOURCE_FRESHNESS, values: [sourceId] });
  return rows;
}
