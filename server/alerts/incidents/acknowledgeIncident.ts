/**
 * An admin says someone is on it: the incident is ACKNOWLEDGED (an ACKNOWLEDGED event in its
 * timeline) and stays open, so that the recovery still resolves it and tells the channels.
 * Acknowledging again changes nothing.
 */
import type { Database } from '../../db/database.ts';
import { withTransaction } from '../../db/withTransaction.ts';
import { NotFoundError } from '../../domainErrors.ts';
import { IncidentResolvedError } from './errors.ts';
import { notifyIncidentUpdatedSql } from './incidentUpdates.ts';

/** Whether the incident changed (the caller announces it when the bus is not NOTIFY). */
export async function acknowledgeIncident(db: Database, incidentId: number, by: string): Promise<boolean> {
  return withTransaction(db.pool, async (client) => {
    const { rows } = await client.query<{ status: string }>({
      name: 'lock_incident',
      text: `SELECT status FROM incident WHERE id = $1 FOR UPDATE`,
      values: [incidentId],
    });
    const status = rows[0]?.status;
    if (!status) throw new NotFoundError('Incident', String(incidentId));
    if (status === 'RESOLVED') throw new IncidentResolvedError(incidentId);
    if (status === 'ACKNOWLEDGED') return false;
    await client.query({
      name: 'acknowledge_incident',
      text: `WITH acked AS (
               UPDATE incident SET status = 'ACKNOWLEDGED', acknowledged_at = now(), last_event_at = now()
                WHERE id = $1
            RETURNING id
             )
             INSERT INTO incident_event (incident_id, kind, message)
             SELECT id, 'ACKNOWLEDGED', $2 FROM acked
             RETURNING ${notifyIncidentUpdatedSql('incident_id')} AS notified`,
      values: [incidentId, `Acknowledged by ${by}`],
    });
    return true;
  });
}
