/**
 * The outbox's one way in: notifications are written in the transaction of the change that caused
 * them (an incident opening or resolving, a channel test), so none is lost and none is sent for a
 * change that rolled back. A background job delivers them.
 */
import type pg from 'pg';

/** Woken by every queued notification, so that delivery need not wait for its next sweep. */
export const NOTIFICATION_QUEUED_CHANNEL = 'notification_queued';

export type NotificationEventName = 'OPENED' | 'RESOLVED' | 'TEST';

/**
 * What a channel renders. Ids, not links: links are made at send time from the configured public
 * address of the admin, so a changed PUBLIC_URL applies to notifications still waiting.
 */
export type NotificationPayload = {
  title: string;
  /** A typed reason: RUN_ERROR, CONSECUTIVE_FAILURES, VOLUME_DROP, QUALITY_GATE, STALE, CRITICAL, EXPECTED_RUN_MISSING, RUNNER_OFFLINE, TEST… */
  reason: string;
  detail: string;
  incidentId: number | null;
  ruleId: number | null;
  scraper: { id: number; slug: string; name: string } | null;
  source: { id: number; name: string } | null;
  runner: { id: number; name: string } | null;
  run: { id: number; status: string } | null;
  expected: number | null;
  actual: number | null;
  /** When the change happened (ISO 8601). */
  occurredAt: string;
};

/** Queues one notification per channel; returns their ids in channel order. */
export async function queueNotifications(
  client: pg.ClientBase,
  params: { incidentId: number | null; event: NotificationEventName; channelIds: number[]; payload: NotificationPayload },
): Promise<number[]> {
  if (params.channelIds.length === 0) return [];
  const { rows } = await client.query<{ id: number }>({
    name: 'queue_notifications',
    // Disabled channels are skipped: a channel a receiver retired (410) stays quiet until re-enabled.
    text: `WITH queued AS (
             INSERT INTO notification (message_id, channel_id, incident_id, event, payload)
             SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), c.id, $1, $2::"NotificationEvent", $3::jsonb
               FROM unnest($4::int[]) WITH ORDINALITY AS wanted(channel_id, ord)
               JOIN alert_channel c ON c.id = wanted.channel_id AND c.enabled
              ORDER BY wanted.ord
             RETURNING id)
           SELECT id, pg_notify('${NOTIFICATION_QUEUED_CHANNEL}', '') IS NULL AS woken FROM queued ORDER BY id`,
    values: [params.incidentId, params.event, JSON.stringify(params.payload), params.channelIds],
  });
  return rows.map((r) => r.id);
}
