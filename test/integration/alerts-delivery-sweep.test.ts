/**
 * The job engine's sweep of the outbox: a notification that woke no instance (its NOTIFY lost) is
 * delivered by the next minute's sweep job, fired by pg-boss's schedule on its TestClock.
 */
import { TestClock } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentPayload, notificationRow } from '../helpers/alerts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { startHttpReceiver, type HttpReceiver } from '../helpers/httpReceiver.ts';
import { minuteFromNow } from '../helpers/scheduler.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
let server: TestServer | undefined;
let receiver: HttpReceiver;
const clock = new TestClock(minuteFromNow(2, 10));

beforeAll(async () => {
  receiver = await startHttpReceiver();
  // The worker's own timer waits an hour: only the sweep can deliver within the test.
  server = await startTestServer(db.url, { scheduler: true, alertsAllowPrivateTargets: true, alertPassIntervalSeconds: 3600 }, { schedulerClock: clock });
});

afterAll(async () => {
  await server?.stop();
  await receiver.close();
});

/** Moves the engine's clock 5 s at a time, giving job handlers a moment of real time after each step. */
async function advanceUntil(condition: () => boolean, what: string, maxSeconds = 180): Promise<void> {
  for (let elapsed = 0; elapsed <= maxSeconds; elapsed += 5) {
    const settleBy = Date.now() + 150;
    do {
      if (condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    } while (Date.now() < settleBy);
    await clock.tick(5000);
  }
  throw new Error(`engine clock advanced ${maxSeconds} s without ${what}`);
}

describe('the outbox sweep', () => {
  it('delivers a notification whose wake-up was lost at the next sweep', async () => {
    const { rows: channels } = await db.pool.query<{ id: number }>(
      `INSERT INTO alert_channel (name, kind, url, secret) VALUES ('swept', 'WEBHOOK', $1, $2) RETURNING id`,
      [receiver.url('/swept'), `whsec_${Buffer.alloc(32, 3).toString('base64')}`],
    );
    // Inserted without NOTIFY, as if the LISTEN connection had been away when it was queued.
    const { rows } = await db.pool.query<{ id: number; messageId: string }>(
      `INSERT INTO notification (message_id, channel_id, event, payload) VALUES ('msg_swept', $1, 'OPENED', $2) RETURNING id, message_id AS "messageId"`,
      [channels[0]!.id, JSON.stringify(incidentPayload())],
    );
    await advanceUntil(() => receiver.received.length > 0, 'the sweep to deliver it');
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual(['msg_swept']);
    await waitUntil(async () => (await notificationRow(db.pool, rows[0]!.id)).status === 'DELIVERED', 'the delivery to be recorded');
  });
});
