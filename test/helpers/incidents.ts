/** Incidents in tests: channels and rules seeded straight into the database, runs ended as run completion ends them, and the outbox read back. */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { alertOnRunEnded } from '../../server/alerts/incidents/alertOnRunEnded.ts';
import { withTransaction } from '../../server/db/withTransaction.ts';
import type { RunWarning } from '../../server/runs/runWarnings.ts';

export async function seedChannel(pool: pg.Pool, name = `channel-${randomBytes(4).toString('hex')}`): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO alert_channel (name, kind, url, secret) VALUES ($1, 'WEBHOOK', 'https://hooks.example.test/in', 'whsec_dGVzdA==') RETURNING id`,
    [name],
  );
  return rows[0]!.id;
}

/**
 * Ends a new run of the scraper with the given outcome the way run completion does: the run row
 * holds its final status and warnings, and the alert rules judge it in the same transaction.
 */
export async function endRun(
  pool: pg.Pool,
  scraperId: number,
  status: 'SUCCESS' | 'WARNING' | 'ERROR' | 'CANCELLED',
  fields: { warnings?: RunWarning[]; errorType?: string; errorMessage?: string } = {},
): Promise<{ runId: number; incidentIds: number[] }> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO run (scraper_id, triggered_by, status, queued_at, started_at, completed_at, warnings, error_type, error_message)
       VALUES ($1, 'MANUAL', $2::"RunStatus", now(), now(), now(), $3, $4, $5) RETURNING id`,
      [scraperId, status, JSON.stringify(fields.warnings ?? []), fields.errorType ?? (status === 'ERROR' ? 'HTTP_ERROR' : null), fields.errorMessage ?? (status === 'ERROR' ? 'GET /menu answered 503' : null)],
    );
    const runId = rows[0]!.id;
    return { runId, incidentIds: await alertOnRunEnded(client, runId) };
  });
}

export type OutboxRow = { id: number; channelId: number; incidentId: number | null; event: string; payload: any };

export async function outbox(pool: pg.Pool, incidentId: number): Promise<OutboxRow[]> {
  const { rows } = await pool.query<OutboxRow>(
    `SELECT id, channel_id AS "channelId", incident_id AS "incidentId", event, payload FROM notification WHERE incident_id = $1 ORDER BY id`,
    [incidentId],
  );
  return rows;
}

export type IncidentRow = { id: number; ruleId: number; status: string; reason: string; occurrences: number; openKey: string | null; title: string; detail: string };

export async function incidentsOfRule(pool: pg.Pool, ruleId: number): Promise<IncidentRow[]> {
  const { rows } = await pool.query<IncidentRow>(
    `SELECT id, rule_id AS "ruleId", status, reason, occurrences, open_key AS "openKey", title, detail FROM incident WHERE rule_id = $1 ORDER BY id`,
    [ruleId],
  );
  return rows;
}

export async function eventKinds(pool: pg.Pool, incidentId: number): Promise<string[]> {
  const { rows } = await pool.query<{ kind: string }>(`SELECT kind FROM incident_event WHERE incident_id = $1 ORDER BY at, id`, [incidentId]);
  return rows.map((r) => r.kind);
}

export async function seedRule(
  pool: pg.Pool,
  rule: {
    kind: 'RUN_ERROR' | 'CONSECUTIVE_FAILURES' | 'RUN_WARNING' | 'SOURCE_FRESHNESS' | 'EXPECTED_RUN_MISSING' | 'RUNNER_OFFLINE' | 'QUALITY_GATE';
    scraperId?: number | null;
    freshnessLevel?: 'STALE' | 'CRITICAL';
    graceMinutes?: number;
    channelIds: number[];
  },
): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO alert_rule (name, kind, scraper_id, freshness_level, grace_minutes)
     VALUES ($1, $2::"AlertRuleKind", $3, $4::"FreshnessStatus", $5) RETURNING id`,
    [`${rule.kind.toLowerCase()} rule`, rule.kind, rule.scraperId ?? null, rule.freshnessLevel ?? null, rule.graceMinutes ?? null],
  );
  const ruleId = rows[0]!.id;
  await pool.query(`INSERT INTO alert_rule_channel (rule_id, channel_id) SELECT $1, unnest($2::int[])`, [ruleId, rule.channelIds]);
  return ruleId;
}
