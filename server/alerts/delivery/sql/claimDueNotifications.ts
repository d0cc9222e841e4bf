/**
 * Takes up to `limit` notifications that are due, with their channels, and holds each for
 * `leaseSeconds` (locked_until): SKIP LOCKED lets instances claim side by side without waiting on
 * one another, and the lease keeps a claimed notification from every other instance until it is
 * recorded or the lease runs out (its instance died mid-send: then another sends it again, with the
 * same webhook-id).
 */
import type pg from 'pg';
import type { AlertChannelKind, NotificationEvent } from '../../../db/generated/prisma/enums.ts';
import type { NotificationPayload } from '../../notifications/queueNotifications.ts';

export type ClaimedNotification = {
  id: number;
  messageId: string;
  incidentId: number | null;
  event: NotificationEvent;
  payload: NotificationPayload;
  attemptCount: number;
  /** The lease this claim holds: the record of the attempt counts only while it is still the row's. */
  lockedUntil: Date;
  channel: {
    id: number;
    kind: AlertChannelKind;
    url: string | null;
    secret: string | null;
    recipients: string[];
    enabled: boolean;
    disabledReason: string | null;
  };
};

type Row = Omit<ClaimedNotification, 'channel'> & {
  channelId: number;
  kind: AlertChannelKind;
  url: string | null;
  secret: string | null;
  recipients: string[];
  enabled: boolean;
  disabledReason: string | null;
};

export async function claimDueNotifications(pool: pg.Pool, limit: number, leaseSeconds: number): Promise<ClaimedNotification[]> {
  const { rows } = await pool.query<Row>({
    name: 'claim_due_notifications',
    text: `WITH due AS (
             SELECT id FROM notification
              WHERE status = 'PENDING' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
              ORDER BY next_attempt_at, id
              LIMIT $1
                FOR UPDATE SKIP LOCKED)
           UPDATE notification n
              SET locked_until = now() + make_interval(secs => $2)
             FROM due, alert_channel c
            WHERE n.id = due.id AND c.id = n.channel_id
        RETURNING n.id, n.message_id AS "messageId", n.incident_id AS "incidentId", n.event, n.payload,
                  n.attempt_count AS "attemptCount", n.locked_until AS "lockedUntil",
                  c.id AS "channelId", c.kind, c.url, c.secret, c.recipients, c.enabled, c.disabled_reason AS "disabledReason"`,
    values: [limit, leaseSeconds],
  });
  return rows.map(({ channelId, kind, url, secret, recipients, enabled, disabledReason, ...notification }) => ({
    ...notification,
    channel: { id: channelId, kind, url, secret, recipients, enabled, disabledReason },
  }));
}
