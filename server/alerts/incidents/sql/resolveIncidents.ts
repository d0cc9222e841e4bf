/**
 * Resolves the open incidents of a subject under rules of the given kinds (or one rule): status
 * RESOLVED, open_key released so that the next failure opens a new incident, and a RESOLVED event.
 */
import type pg from 'pg';
import type { AlertRuleKind } from '../../../db/generated/prisma/enums.ts';
import { notifyIncidentUpdatedSql } from '../incidentUpdates.ts';

export type Resolve = {
  subjectKey: string;
  kinds: AlertRuleKind[];
  /** Only this rule's incident; null: every rule of the kinds. */
  ruleId: number | null;
  message: string;
  runId: number | null;
};

/** The ids of the incidents it resolved. */
export async function resolveIncidents(client: pg.ClientBase, r: Resolve): Promise<number[]> {
  if (r.kinds.length === 0) return [];
  const { rows } = await client.query<{ id: number }>({
    name: 'resolve_incidents',
    text: `WITH resolved AS (
             UPDATE incident i
                SET status = 'RESOLVED', open_key = NULL, resolved_at = now(), last_event_at = now()
              -- By open key, along its unique index: resolved incidents pile up, open ones are few.
              WHERE i.open_key IN (SELECT r.id::text || ':' || $1 FROM alert_rule r
                                    WHERE r.kind = ANY($2::"AlertRuleKind"[]) AND ($3::int IS NULL OR r.id = $3))
          RETURNING i.id
           ),
           events AS (
             INSERT INTO incident_event (incident_id, kind, message, run_id)
             SELECT id, 'RESOLVED', $4, $5 FROM resolved
           )
           SELECT id, ${notifyIncidentUpdatedSql('id')} AS notified FROM resolved ORDER BY id`,
    values: [r.subjectKey, r.kinds, r.ruleId, r.message, r.runId],
  });
  return rows.map((row) => row.id);
}
