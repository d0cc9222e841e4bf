/**
 * Records one delivery attempt and moves its notification on, in one transaction: DELIVERED, back
 * to PENDING until its next attempt, or FAILED; a receiver that answered 410 Gone also disables its
 * channel. The notification changes only while this claim's lease is still its own (an instance
 * that outlived its lease must not overwrite what the next holder recorded); the attempt is
 * recorded either way, since it happened.
 */
import type pg from 'pg';
import { incidentUpdatePayload, INCIDENT_UPDATED_CHANNEL } from '../../incidents/incidentUpdates.ts';
import type { SendOutcome } from '../sendOutcome.ts';

export type AttemptRecord = {
  notificationId: number;
  incidentId: number | null;
  lease: Date;
  at: Date;
  durationMs: number;
  outcome: SendOutcome;
  /** Seconds to the next attempt; null when this was the last one. */
  retryInSeconds: number | null;
  /** Set when the receiver said the channel is gone for good: the channel is disabled with this reason. */
  disableChannel: { channelId: number; reason: string } | null;
  /** Announce the change on incident_updated inside the transaction (the PostgreSQL bus). */
  notifyInTransaction: boolean;
};

export async function recordDeliveryAttempt(client: pg.ClientBase, record: AttemptRecord): Promise<{ status: string } | null> {
  const { outcome } = record;
  await client.query({
    name: 'insert_delivery_attempt',
    text: `INSERT INTO delivery_attempt (notification_id, at, status_code, ok, error, response, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    values: [record.notificationId, record.at, outcome.statusCode, outcome.ok, outcome.error, outcome.response, record.durationMs],
  });
  const { rows } = await client.query<{ status: string }>({
    name: 'record_notification_attempt',
    text: `UPDATE notification
              SET attempt_count = attempt_count + 1,
                  status = CASE WHEN $3 THEN 'DELIVERED' WHEN $4::float8 IS NULL THEN 'FAILED' ELSE 'PENDING' END::"NotificationStatus",
                  delivered_at = CASE WHEN $3 THEN now() END,
                  next_attempt_at = CASE WHEN NOT $3 AND $4::float8 IS NOT NULL THEN now() + make_interval(secs => $4::float8) ELSE next_attempt_at END,
                  locked_until = NULL
            WHERE id = $1 AND locked_until = $2 AND status = 'PENDING'
        RETURNING status`,
    values: [record.notificationId, record.lease, outcome.ok, record.retryInSeconds],
  });
  if (record.disableChannel) {
    await client.query({
      name: 'disable_alert_channel',
      text: `UPDATE alert_channel SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1`,
      values: [record.disableChannel.channelId, record.disableChannel.reason],
    });
  }
  if (record.notifyInTransaction) {
    await client.query({
      name: 'notify_incident_updated',
      text: `SELECT pg_notify('${INCIDENT_UPDATED_CHANNEL}', $1)`,
      values: [incidentUpdatePayload({ incidentId: record.incidentId, notificationId: record.notificationId })],
    });
  }
  return rows[0] ?? null;
}
