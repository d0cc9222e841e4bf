/**
 * Opens the incident of a rule and subject, or adds an occurrence to the one already open. The
 * open_key unique index decides: however many transactions notice the same failure at once, one
 * inserts and the others find its row (waiting for its commit), so one incident opens.
 */
import type pg from 'pg';
import { notifyIncidentUpdatedSql } from '../incidentUpdates.ts';
import type { Subject } from '../subject.ts';

export type Raise = {
  ruleId: number;
  subject: Subject;
  title: string;
  reason: string;
  detail: string;
  /** The event's line in the timeline. */
  message: string;
  runId: number | null;
  /**
   * True for failures that happen again (a run fails again: one more occurrence, recorded
   * silently); false for a condition the periodic pass finds still true, which adds nothing.
   */
  recur: boolean;
};

export type Raised = { incidentId: number; change: 'OPENED' | 'RECURRED' | null };

export async function raiseIncident(client: pg.ClientBase, r: Raise): Promise<Raised> {
  const { rows } = await client.query<{ id: number; opened: boolean }>({
    name: 'raise_incident',
    text: `INSERT INTO incident AS i (rule_id, subject_key, open_key, scraper_id, source_id, runner_id, title, reason, detail)
           VALUES ($1, $2, $1::int::text || ':' || $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (open_key) DO UPDATE
              SET occurrences = i.occurrences + CASE WHEN $9 THEN 1 ELSE 0 END,
                  last_event_at = CASE WHEN $9 THEN now() ELSE i.last_event_at END
           RETURNING i.id, (i.xmax = 0) AS opened,
                     CASE WHEN i.xmax = 0 OR $9 THEN ${notifyIncidentUpdatedSql('i.id')} END AS notified`,
    values: [r.ruleId, r.subject.key, r.subject.scraperId, r.subject.sourceId, r.subject.runnerId, r.title, r.reason, r.detail, r.recur],
  });
  const { id, opened } = rows[0]!;
  const change = opened ? 'OPENED' : r.recur ? 'RECURRED' : null;
  if (change) {
    await client.query({
      name: 'insert_incident_event',
      text: `INSERT INTO incident_event (incident_id, kind, message, run_id) VALUES ($1, $2::"IncidentEventKind", $3, $4)`,
      values: [id, change, r.message, r.runId],
    });
  }
  return { incidentId: id, change };
}
