/**
 * The alert pass's catch-up of openings nobody was told of: an incident that opened while its rule
 * or scraper was snoozed (or its rule had no channel that could send) is announced once the snooze
 * is over, while it is still open, even if nothing new happens to it.
 */
import type pg from 'pg';
import { withTransaction } from '../../db/withTransaction.ts';
import { noticeOpening } from '../incidents/noticeIncident.ts';

/** Changes no incident (only queues notifications): answers none, as the other steps answer theirs. */
export async function noticeLateOpenings(pool: pg.Pool): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>({
    name: 'untold_open_incidents',
    text: `SELECT i.id FROM incident i
             JOIN alert_rule r ON r.id = i.rule_id AND r.enabled AND NOT coalesce(r.snoozed_until > now(), false)
             LEFT JOIN scraper s ON s.id = i.scraper_id
            WHERE i.open_key IS NOT NULL
              AND NOT coalesce(s.alerts_snoozed_until > now(), false)
              AND EXISTS (SELECT 1 FROM alert_rule_channel rc JOIN alert_channel c ON c.id = rc.channel_id AND c.enabled WHERE rc.rule_id = r.id)
              AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.incident_id = i.id AND n.event = 'OPENED')
            ORDER BY i.id`,
  });
  for (const { id } of rows) {
    await withTransaction(pool, async (client) => {
      // Locked, so that two passes at once tell it once: the second finds the first's notifications.
      const { rows: locked } = await client.query({ name: 'lock_open_incident', text: `SELECT 1 FROM incident WHERE id = $1 AND open_key IS NOT NULL FOR UPDATE`, values: [id] });
      if (locked.length > 0) await noticeOpening(client, id, null);
    });
  }
  return [];
}
