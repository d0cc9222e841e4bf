/**
 * Each source as the alert pass judges its freshness: since when its data is as old as it is, its
 * thresholds, the state last stored, and every SOURCE_FRESHNESS rule with whether it watches the
 * source and whether its incident about the source is open.
 */
import type pg from 'pg';
import type { FreshnessStatus } from '../../../db/generated/prisma/enums.ts';

export type FreshnessRuleWatch = {
  ruleId: number;
  enabled: boolean;
  /** The rule watches this source: it is for every source, or for a scraper of this one. */
  applies: boolean;
  ruleScraperId: number | null;
  level: FreshnessStatus | null;
  open: boolean;
};

export type SourceWatch = {
  sourceId: number;
  name: string;
  /** When it last delivered products that passed its checks; never: when it was made, so a new source is not CRITICAL at once. */
  since: Date;
  delivered: boolean;
  staleAfterMinutes: number;
  criticalAfterMinutes: number;
  stored: FreshnessStatus | null;
  rules: FreshnessRuleWatch[];
};

/** sourceId null: every source. */
export async function sourceFreshnessWatch(client: pg.ClientBase | pg.Pool, sourceId: number | null): Promise<SourceWatch[]> {
  const { rows } = await client.query<SourceWatch>({
    name: 'source_freshness_watch',
    text: `SELECT s.id AS "sourceId", s.name, coalesce(s.last_delivered_at, s.created_at) AS since,
                  s.last_delivered_at IS NOT NULL AS delivered,
                  s.stale_after_minutes AS "staleAfterMinutes", s.critical_after_minutes AS "criticalAfterMinutes",
                  s.freshness_state AS stored,
                  coalesce(json_agg(json_build_object(
                    'ruleId', r.id, 'enabled', r.enabled, 'ruleScraperId', r.scraper_id, 'level', r.freshness_level,
                    'applies', r.scraper_id IS NULL OR EXISTS (SELECT 1 FROM scraper sc WHERE sc.id = r.scraper_id AND sc.source_id = s.id),
                    'open', EXISTS (SELECT 1 FROM incident i WHERE i.open_key = r.id::text || ':source:' || s.id)
                  ) ORDER BY r.id) FILTER (WHERE r.id IS NOT NULL), '[]') AS rules
             FROM source s
             LEFT JOIN alert_rule r ON r.kind = 'SOURCE_FRESHNESS'
            WHERE $1::int IS NULL OR s.id = $1
            GROUP BY s.id
            ORDER BY s.id`,
    values: [sourceId],
  });
  return rows;
}

/** Stores the state when it changed; true when it did. */
export async function storeFreshnessState(client: pg.ClientBase, sourceId: number, state: FreshnessStatus): Promise<boolean> {
  const { rowCount } = await client.query({
    name: 'store_freshness_state',
    text: `UPDATE source SET freshness_state = $2::"FreshnessStatus", freshness_changed_at = now()
            WHERE id = $1 AND freshness_state IS DISTINCT FROM $2::"FreshnessStatus"`,
    values: [sourceId, state],
  });
  return rowCount === 1;
}

/** Holds the source's row for the transaction, so that a delivery and the pass judge it one after the other. */
export async function lockSource(client: pg.ClientBase, sourceId: number): Promise<boolean> {
  const { rows } = await client.query({ name: 'lock_source', text: `SELECT 1 FROM source WHERE id = $1 FOR UPDATE`, values: [sourceId] });
  return rows.length === 1;
}
