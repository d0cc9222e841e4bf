/** The enabled alert rules of some kinds: for every scraper, or for one scraper and every scraper. */
import type pg from 'pg';
import type { AlertRuleKind, FreshnessStatus } from '../../../db/generated/prisma/enums.ts';

export type RuleRow = {
  id: number;
  kind: AlertRuleKind;
  /** null: the rule watches every scraper. */
  scraperId: number | null;
  threshold: number | null;
  warningReasons: string[];
  freshnessLevel: FreshnessStatus | null;
  graceMinutes: number | null;
};

/** scraperId: only the rules that watch that scraper (its own and the ones for all); null: every rule of the kinds. */
export async function enabledRules(client: pg.ClientBase | pg.Pool, kinds: AlertRuleKind[], scraperId: number | null): Promise<RuleRow[]> {
  const { rows } = await client.query<RuleRow>({
    name: 'enabled_alert_rules',
    text: `SELECT id, kind, scraper_id AS "scraperId", threshold, warning_reasons AS "warningReasons",
                  freshness_level AS "freshnessLevel", grace_minutes AS "graceMinutes"
             FROM alert_rule
            WHERE enabled AND kind = ANY($1::"AlertRuleKind"[])
              AND ($2::int IS NULL OR scraper_id IS NULL OR scraper_id = $2)
            ORDER BY id`,
    values: [kinds, scraperId],
  });
  return rows;
}
