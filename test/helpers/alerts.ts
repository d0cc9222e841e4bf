/** Alert channels and queued notifications for delivery tests: made through the API or the outbox's own way in. */
import type pg from 'pg';
import { withTransaction } from '../../server/db/withTransaction.ts';
import { queueNotifications, type NotificationEventName, type NotificationPayload } from '../../server/alerts/notifications/queueNotifications.ts';
import type { GraphQLTestClient } from './graphql.ts';

const CREATE = `mutation($input: CreateAlertChannelInput!) {
  createAlertChannel(input: $input) {
    __typename
    ... on MutationCreateAlertChannelSuccess { data { secret channel { id name kind url hasSecret recipients enabled } } }
    ... on Error { message }
  }
}`;

export type ChannelInput = { name: string; kind: 'WEBHOOK' | 'SLACK' | 'EMAIL'; url?: string; secret?: string; recipients?: string[] };

/** Creates a channel as an admin and returns its id and the secret made for it (if any). */
export async function createChannel(admin: GraphQLTestClient, input: ChannelInput): Promise<{ id: string; secret: string | null }> {
  const { createAlertChannel } = await admin.data(CREATE, { input });
  if (createAlertChannel.__typename !== 'MutationCreateAlertChannelSuccess') throw new Error(`channel not created: ${JSON.stringify(createAlertChannel)}`);
  return { id: createAlertChannel.data.channel.id, secret: createAlertChannel.data.secret };
}

/** An incident to hang notifications on (its rule too), as the incidents module would have opened it. */
export async function seedIncident(pool: pg.Pool, scraperId: number): Promise<number> {
  const { rows: rules } = await pool.query<{ id: number }>(`INSERT INTO alert_rule (name, kind, scraper_id) VALUES ($1, 'RUN_WARNING', $2) RETURNING id`, [
    `rule ${scraperId} ${Math.random()}`,
    scraperId,
  ]);
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO incident (rule_id, subject_key, open_key, scraper_id, title, reason, detail)
     VALUES ($1, $2, $3, $4, 'Volume drop', 'VOLUME_DROP', 'found 0 products') RETURNING id`,
    [rules[0]!.id, `scraper:${scraperId}`, `${rules[0]!.id}:scraper:${scraperId}`, scraperId],
  );
  return rows[0]!.id;
}

export function incidentPayload(fields: Partial<NotificationPayload> = {}): NotificationPayload {
  return {
    title: 'Demo shop found 0 products',
    reason: 'VOLUME_DROP',
    detail: 'The run found 0 products where about 120 were expected.',
    incidentId: null,
    ruleId: null,
    scraper: { id: 1, slug: 'demo-shop', name: 'Demo shop' },
    source: { id: 1, name: 'Demo shop source' },
    runner: null,
    run: { id: 42, status: 'WARNING' },
    expected: 120,
    actual: 0,
    occurredAt: new Date().toISOString(),
    ...fields,
  };
}

/** Queues through the outbox in a transaction of its own, as an incident change does; returns the notification ids. */
export function queue(
  pool: pg.Pool,
  params: { channelIds: Array<number | string>; event?: NotificationEventName; incidentId?: number | null; payload?: NotificationPayload },
): Promise<number[]> {
  return withTransaction(pool, (client) =>
    queueNotifications(client, {
      incidentId: params.incidentId ?? null,
      event: params.event ?? 'OPENED',
      channelIds: params.channelIds.map(Number),
      payload: params.payload ?? incidentPayload({ incidentId: params.incidentId ?? null }),
    }),
  );
}

export type NotificationRow = { id: number; messageId: string; status: string; attemptCount: number; deliveredAt: Date | null };
export type AttemptRow = { statusCode: number | null; ok: boolean; error: string | null; response: string | null };

export async function notificationRow(pool: pg.Pool, id: number): Promise<NotificationRow> {
  const { rows } = await pool.query<NotificationRow>(
    `SELECT id, message_id AS "messageId", status, attempt_count AS "attemptCount", delivered_at AS "deliveredAt" FROM notification WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

export async function attemptsOf(pool: pg.Pool, id: number): Promise<AttemptRow[]> {
  const { rows } = await pool.query<AttemptRow>(
    `SELECT status_code AS "statusCode", ok, error, response FROM delivery_attempt WHERE notification_id = $1 ORDER BY at, id`,
    [id],
  );
  return rows;
}

/** Whether the notification has left PENDING (delivered or failed for good). */
export async function settled(pool: pg.Pool, id: number): Promise<boolean> {
  return (await notificationRow(pool, id)).status !== 'PENDING';
}
