/**
 * The demo's alerting: the channel to the demo's own webhook receiver and the rules on the failing
 * demo scraper, made again on every start; and the receiver, which takes only what verifies and
 * each webhook-id once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { DEMO_CHANNEL_NAME, demoWebhookSecret, ensureDemoAlerts } from '../../demo/demoAlerts.ts';
import { registerBuiltInScrapers } from '../../demo/registerBuiltInScrapers.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../demo/webhookReceiver.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { createLogger } from '../../server/logger.ts';
import { useTestDatabase } from '../helpers/database.ts';

const testDb = useTestDatabase();
const logger = createLogger('silent');
let db: Database;

beforeAll(async () => {
  db = openDatabase(testDb.url, logger, { max: 2 });
  // Nothing is scraped here: the address only has to be well formed.
  await registerBuiltInScrapers(db, 'http://127.0.0.1:9');
});

afterAll(async () => {
  await db?.close();
});

/** What one start of the demo does with its alerting, given the address its receiver got. */
async function startOnce(receiverUrl: string) {
  const secret = await demoWebhookSecret(db);
  await ensureDemoAlerts(db, { receiverUrl, secret });
  return secret;
}

const demoChannels = async () =>
  (await testDb.pool.query<{ id: number; kind: string; url: string; secret: string }>(`SELECT id, kind, url, secret FROM alert_channel WHERE name = $1`, [DEMO_CHANNEL_NAME])).rows;

const demoRules = async () =>
  (
    await testDb.pool.query<{ kind: string; slug: string; enabled: boolean; channels: string[] }>(
      `SELECT r.kind, s.slug, r.enabled,
              coalesce(array_agg(c.name ORDER BY c.name) FILTER (WHERE c.id IS NOT NULL), '{}') AS channels
         FROM alert_rule r JOIN scraper s ON s.id = r.scraper_id
         LEFT JOIN alert_rule_channel rc ON rc.rule_id = r.id LEFT JOIN alert_channel c ON c.id = rc.channel_id
        GROUP BY r.id, s.slug ORDER BY r.kind`,
    )
  ).rows;

describe('the demo alerting, on every start', () => {
  it('points one webhook channel at the receiver of the latest start, keeping its secret, and gives the failing scraper its rules once', async () => {
    const first = await startOnce('http://127.0.0.1:41001/');
    expect(first).toMatch(/^whsec_/);
    expect(Buffer.from(first.slice('whsec_'.length), 'base64')).toHaveLength(24);
    const second = await startOnce('http://127.0.0.1:41002/');

    expect(second).toBe(first);
    const channels = await demoChannels();
    expect(channels).toEqual([{ id: channels[0]!.id, kind: 'WEBHOOK', url: 'http://127.0.0.1:41002/', secret: first }]);
    expect(await demoRules()).toEqual([
      { kind: 'RUN_ERROR', slug: 'slow-farm', enabled: true, channels: [DEMO_CHANNEL_NAME] },
      { kind: 'RUN_WARNING', slug: 'slow-farm', enabled: true, channels: [DEMO_CHANNEL_NAME] },
    ]);
  });

  it("keeps an admin's changes to the demo rules, and makes a deleted channel anew with the rules linked to it", async () => {
    await testDb.pool.query(`UPDATE alert_rule SET enabled = false WHERE kind = 'RUN_ERROR'`);
    await testDb.pool.query(`DELETE FROM alert_channel WHERE name = $1`, [DEMO_CHANNEL_NAME]);
    expect((await demoRules()).map((rule) => rule.channels)).toEqual([[], []]);

    const secret = await startOnce('http://127.0.0.1:41003/');

    expect(await demoChannels()).toEqual([expect.objectContaining({ url: 'http://127.0.0.1:41003/', secret })]);
    expect(await demoRules()).toEqual([
      { kind: 'RUN_ERROR', slug: 'slow-farm', enabled: false, channels: [DEMO_CHANNEL_NAME] },
      { kind: 'RUN_WARNING', slug: 'slow-farm', enabled: true, channels: [DEMO_CHANNEL_NAME] },
    ]);
  });
});

describe('the demo webhook receiver', () => {
  const secret = `whsec_${Buffer.from('a demo secret of 24 byte').toString('base64')}`;
  const sender = new Webhook(secret);
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret, logger });
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  const body = (title: string) => JSON.stringify({ type: 'incident.opened', timestamp: new Date().toISOString(), data: { title } });

  async function post(payload: string, headers: { id: string; at?: Date; signedPayload?: string }) {
    const at = headers.at ?? new Date();
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': headers.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': sender.sign(headers.id, at, headers.signedPayload ?? payload),
      },
      body: payload,
    });
    return response.status;
  }

  it('takes a correctly signed delivery and lists it', async () => {
    expect(await post(body('Slow Farm ended with warnings'), { id: 'msg_signed' })).toBe(200);

    expect(receiver.deliveries()).toEqual([
      expect.objectContaining({ webhookId: 'msg_signed', type: 'incident.opened', title: 'Slow Farm ended with warnings', verified: true, rejection: null, repeats: 0 }),
    ]);
  });

  it('rejects a tampered body and a timestamp too old, and lists them as unverified', async () => {
    expect(await post(body('tampered'), { id: 'msg_tampered', signedPayload: body('original') })).toBe(400);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    expect(await post(body('late'), { id: 'msg_late', at: anHourAgo })).toBe(400);

    const [late, tampered] = receiver.deliveries();
    expect(tampered).toMatchObject({ webhookId: 'msg_tampered', verified: false, rejection: 'No matching signature found' });
    expect(late).toMatchObject({ webhookId: 'msg_late', verified: false, rejection: 'Message timestamp too old' });
  });

  it('answers a repeated webhook-id as taken, drops it and counts it', async () => {
    const before = receiver.deliveries().length;
    const payload = body('Slow Farm ended with warnings');
    expect(await post(payload, { id: 'msg_signed' })).toBe(200);
    expect(await post(payload, { id: 'msg_signed' })).toBe(200);

    expect(receiver.deliveries()).toHaveLength(before);
    expect(receiver.deliveries().find((d) => d.webhookId === 'msg_signed')).toMatchObject({ verified: true, repeats: 2 });
    expect(receiver.repeatsDropped()).toBe(2);
  });

  it('shows what it received at GET /, newest first', async () => {
    const response = await fetch(receiver.url);
    expect(response.status).toBe(200);
    const listed = (await response.json()) as { repeatsDropped: number; deliveries: { webhookId: string; verified: boolean }[] };
    expect(listed.repeatsDropped).toBe(2);
    expect(listed.deliveries.map((d) => [d.webhookId, d.verified])).toEqual([
      ['msg_late', false],
      ['msg_tampered', false],
      ['msg_signed', true],
    ]);
  });
});
