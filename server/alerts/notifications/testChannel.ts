/** Queues a test notification to one channel through the outbox, as an incident's would be: it is delivered, retried and recorded the same way. */
import type { Database } from '../../db/database.ts';
import { withTransaction } from '../../db/withTransaction.ts';
import { NotFoundError } from '../../domainErrors.ts';
import { ChannelDisabledError } from '../channels/errors.ts';
import { queueNotifications } from './queueNotifications.ts';

/** Returns the id of the queued notification. */
export async function testChannel(db: Database, channelId: number, now: Date = new Date()): Promise<number> {
  return withTransaction(db.pool, async (client) => {
    // FOR SHARE: a channel disabled or deleted meanwhile waits for this transaction, or this one sees it.
    const { rows } = await client.query<{ name: string; enabled: boolean; disabledReason: string | null }>(
      `SELECT name, enabled, disabled_reason AS "disabledReason" FROM alert_channel WHERE id = $1 FOR SHARE`,
      [channelId],
    );
    const channel = rows[0];
    if (!channel) throw new NotFoundError('AlertChannel', String(channelId));
    if (!channel.enabled) throw new ChannelDisabledError(channelId, channel.disabledReason);
    const [notificationId] = await queueNotifications(client, {
      incidentId: null,
      event: 'TEST',
      channelIds: [channelId],
      payload: {
        title: `Test notification for channel ${channel.name}`,
        reason: 'TEST',
        detail: 'Sent by testChannel from Scrapedeck. If you can read this, the channel works.',
        incidentId: null,
        ruleId: null,
        scraper: null,
        source: null,
        runner: null,
        run: null,
        expected: null,
        actual: null,
        occurredAt: now.toISOString(),
      },
    });
    return notificationId!;
  });
}
