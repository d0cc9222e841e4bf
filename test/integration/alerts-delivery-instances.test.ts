import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, queue } from '../helpers/alerts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { startHttpReceiver, type HttpReceiver } from '../helpers/httpReceiver.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
const servers: TestServer[] = [];
let receiver: HttpReceiver;

beforeAll(async () => {
  // Answers take a moment, so that both instances have deliveries in flight at once.
  receiver = await startHttpReceiver({ delayMs: 30 });
  const config = { alertsAllowPrivateTargets: true, alertRetryScheduleSeconds: [0.5] };
  servers.push(await startTestServer(db.url, config), await startTestServer(db.url, config));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await receiver.close();
});

describe('two instances on one database', () => {
  it('deliver every notification exactly once: one receipt per webhook-id, one attempt each', async () => {
    const channels = await Promise.all([0, 1, 2, 3].map((i) => createChannel(servers[i % 2]!.admin, { name: `fan-out ${i}`, kind: 'WEBHOOK', url: receiver.url(`/fan-out/${i}`) })));
    const ids: number[] = [];
    // Queued in many transactions: every commit wakes both instances, which then compete for the rows.
    for (let round = 0; round < 15; round++) ids.push(...(await queue(db.pool, { channelIds: channels.map((c) => c.id) })));
    expect(ids).toHaveLength(60);

    const delivered = async () =>
      (await db.pool.query(`SELECT count(*)::int AS n FROM notification WHERE id = ANY($1) AND status = 'DELIVERED'`, [ids])).rows[0].n as number;
    await waitUntil(async () => (await delivered()) === ids.length, 'every notification to be delivered');

    const receipts = new Map<string, number>();
    for (const request of receiver.received) {
      const id = String(request.headers['webhook-id']);
      receipts.set(id, (receipts.get(id) ?? 0) + 1);
    }
    const { rows } = await db.pool.query<{ messageId: string; attemptCount: number; attempts: number }>(
      `SELECT message_id AS "messageId", attempt_count AS "attemptCount", (SELECT count(*)::int FROM delivery_attempt a WHERE a.notification_id = n.id) AS attempts
         FROM notification n WHERE id = ANY($1)`,
      [ids],
    );
    expect(receipts.size).toBe(ids.length);
    for (const row of rows) {
      expect(receipts.get(row.messageId)).toBe(1);
      expect(row).toMatchObject({ attemptCount: 1, attempts: 1 });
    }
    expect(receiver.received).toHaveLength(ids.length);
  });
});
