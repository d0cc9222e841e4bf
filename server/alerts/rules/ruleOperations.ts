/**
 * Making, changing, deleting and snoozing alert rules, and snoozing a scraper's alerts: plain
 * functions over the database (who may call each is the schema's to say).
 */
import type pg from 'pg';
import type { Database } from '../../db/database.ts';
import type { AlertRule, Scraper } from '../../db/generated/prisma/client.ts';
import type { AlertRuleKind, FreshnessStatus } from '../../db/generated/prisma/enums.ts';
import { withTransaction } from '../../db/withTransaction.ts';
import { NotFoundError } from '../../domainErrors.ts';
import { recover } from '../incidents/incidentLifecycle.ts';
import { ALERT_RULE_KINDS, DEFAULT_GRACE_MINUTES } from './ruleInput.ts';

export type AlertRuleFields = {
  name: string;
  kind: AlertRuleKind;
  scraperId: number | null;
  threshold: number | null;
  warningReasons: string[];
  freshnessLevel: FreshnessStatus | null;
  graceMinutes: number | null;
  channelIds: number[];
  enabled: boolean;
};

export async function createAlertRule(db: Database, fields: AlertRuleFields): Promise<AlertRule> {
  const id = await withTransaction(db.pool, async (client) => {
    await checkReferences(client, fields);
    const { rows } = await client.query<{ id: number }>({
      name: 'insert_alert_rule',
      text: `INSERT INTO alert_rule (name, kind, scraper_id, threshold, warning_reasons, freshness_level, grace_minutes, enabled)
             VALUES ($1, $2::"AlertRuleKind", $3, $4, $5, $6::"FreshnessStatus", $7, $8)
             RETURNING id`,
      values: ruleValues(fields),
    });
    await setChannels(client, rows[0]!.id, fields.channelIds);
    return rows[0]!.id;
  });
  return db.prisma.alertRule.findUniqueOrThrow({ where: { id } });
}

/**
 * Replaces the rule's fields and channels. A rule that now watches something else (another kind or
 * scraper) resolves its open incidents: what they were about is no longer watched by it.
 */
export async function updateAlertRule(db: Database, id: number, fields: AlertRuleFields): Promise<{ rule: AlertRule; resolvedIncidentIds: number[] }> {
  const resolvedIncidentIds = await withTransaction(db.pool, async (client) => {
    const { rows } = await client.query<{ kind: AlertRuleKind; scraperId: number | null }>({
      name: 'lock_alert_rule',
      text: `SELECT kind, scraper_id AS "scraperId" FROM alert_rule WHERE id = $1 FOR UPDATE`,
      values: [id],
    });
    const before = rows[0];
    if (!before) throw new NotFoundError('AlertRule', String(id));
    await checkReferences(client, fields);
    await client.query({
      name: 'update_alert_rule',
      text: `UPDATE alert_rule
                SET name = $1, kind = $2::"AlertRuleKind", scraper_id = $3, threshold = $4, warning_reasons = $5,
                    freshness_level = $6::"FreshnessStatus", grace_minutes = $7, enabled = $8
              WHERE id = $9`,
      values: [...ruleValues(fields), id],
    });
    await setChannels(client, id, fields.channelIds);
    if (before.kind === fields.kind && before.scraperId === fields.scraperId) return [];
    return resolveRuleIncidents(client, id);
  });
  return { rule: await db.prisma.alertRule.findUniqueOrThrow({ where: { id } }), resolvedIncidentIds };
}

/** Its incidents go with it (and their notifications not yet sent). */
export async function deleteAlertRule(db: Database, id: number): Promise<number> {
  const { count } = await db.prisma.alertRule.deleteMany({ where: { id } });
  if (count === 0) throw new NotFoundError('AlertRule', String(id));
  return id;
}

/** No notification of the rule is sent for `minutes` from now; 0 ends a snooze. */
export async function snoozeAlertRule(db: Database, id: number, minutes: number): Promise<AlertRule> {
  const { count } = await db.prisma.alertRule.updateMany({ where: { id }, data: { snoozedUntil: snoozeEnd(minutes) } });
  if (count === 0) throw new NotFoundError('AlertRule', String(id));
  return db.prisma.alertRule.findUniqueOrThrow({ where: { id } });
}

/** No notification about the scraper is sent for `minutes` from now, whatever the rule; 0 ends a snooze. */
export async function snoozeScraperAlerts(db: Database, scraperId: number, minutes: number): Promise<Scraper> {
  const { count } = await db.prisma.scraper.updateMany({ where: { id: scraperId }, data: { alertsSnoozedUntil: snoozeEnd(minutes) } });
  if (count === 0) throw new NotFoundError('Scraper', String(scraperId));
  return db.prisma.scraper.findUniqueOrThrow({ where: { id: scraperId } });
}

const snoozeEnd = (minutes: number) => (minutes === 0 ? null : new Date(Date.now() + minutes * 60_000));

function ruleValues(f: AlertRuleFields): unknown[] {
  const grace = f.kind === 'EXPECTED_RUN_MISSING' || f.kind === 'RUNNER_OFFLINE' ? (f.graceMinutes ?? DEFAULT_GRACE_MINUTES[f.kind]) : null;
  return [f.name, f.kind, f.scraperId, f.threshold, f.warningReasons, f.freshnessLevel, grace, f.enabled];
}

async function checkReferences(client: pg.ClientBase, f: AlertRuleFields): Promise<void> {
  if (f.scraperId !== null) {
    const { rows } = await client.query({ name: 'alert_rule_scraper_exists', text: `SELECT 1 FROM scraper WHERE id = $1`, values: [f.scraperId] });
    if (rows.length === 0) throw new NotFoundError('Scraper', String(f.scraperId));
  }
  // FOR KEY SHARE: a channel deleted meanwhile would break the rule's link to it.
  const { rows } = await client.query<{ id: number }>({
    name: 'alert_rule_channels_exist',
    text: `SELECT id FROM alert_channel WHERE id = ANY($1::int[]) FOR KEY SHARE`,
    values: [f.channelIds],
  });
  const found = new Set(rows.map((r) => r.id));
  const missing = f.channelIds.find((channelId) => !found.has(channelId));
  if (missing !== undefined) throw new NotFoundError('AlertChannel', String(missing));
}

async function setChannels(client: pg.ClientBase, ruleId: number, channelIds: number[]): Promise<void> {
  await client.query({ name: 'clear_alert_rule_channels', text: `DELETE FROM alert_rule_channel WHERE rule_id = $1`, values: [ruleId] });
  await client.query({
    name: 'insert_alert_rule_channels',
    text: `INSERT INTO alert_rule_channel (rule_id, channel_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`,
    values: [ruleId, channelIds],
  });
}

async function resolveRuleIncidents(client: pg.ClientBase, ruleId: number): Promise<number[]> {
  const { rows } = await client.query<{ subjectKey: string }>({
    name: 'open_incident_subjects_of_rule',
    text: `SELECT subject_key AS "subjectKey" FROM incident WHERE rule_id = $1 AND open_key IS NOT NULL`,
    values: [ruleId],
  });
  const resolved: number[] = [];
  for (const { subjectKey } of rows) {
    // By rule, whatever kind it names now.
    resolved.push(...(await recover(client, { subjectKey, kinds: [...ALERT_RULE_KINDS], ruleId, message: 'The rule changed what it watches', runId: null })));
  }
  return resolved;
}
