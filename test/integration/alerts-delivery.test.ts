import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, createChannel, incidentPayload, notificationRow, queue, seedIncident, settled } from '../helpers/alerts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { startHttpReceiver, type HttpReceiver } from '../helpers/httpReceiver.ts';
import { seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startedLater } from '../helpers/startedLater.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtpReceiver.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const PUBLIC_URL = 'https://scrapedeck.example.test';
/** Two retries a moment apart: three attempts in all. */
const RETRIES = [0.3, 0.3];

const db = useTestDatabase();
let serverRef: TestServer | undefined;
let receiverRef: HttpReceiver | undefined;
let smtpRef: SmtpReceiver | undefined;
const server = startedLater('server', () => serverRef);
const receiver = startedLater('receiver', () => receiverRef);
const smtp = startedLater('smtp', () => smtpRef);

beforeAll(async () => {
  receiverRef = await startHttpReceiver();
  smtpRef = await startSmtpReceiver();
  serverRef = await startTestServer(db.url, {
    publicUrl: PUBLIC_URL,
    smtpUrl: smtpRef.url,
    alertsFrom: 'Scrapedeck <alerts@scrapedeck.example.test>',
    // The receivers listen on 127.0.0.1.
    alertsAllowPrivateTargets: true,
    alertRetryScheduleSeconds: RETRIES,
  });
});

afterAll(async () => {
  await serverRef?.stop();
  await receiverRef?.close();
  await smtpRef?.close();
});

const byPath = (path: string) => receiver.received.filter((r) => r.path === path);

describe('webhook delivery', () => {
  it('signs each webhook per Standard Webhooks: the verifier accepts it, and refuses a tampered body or an old timestamp', async () => {
    const { scraperId } = await seedScraper(db.pool, { slug: 'signed-shop' });
    const incidentId = await seedIncident(db.pool, scraperId);
    const channel = await createChannel(server.admin, { name: 'signed', kind: 'WEBHOOK', url: receiver.url('/signed') });
    expect(channel.secret).toMatch(/^whsec_/);
    const [id] = await queue(db.pool, { channelIds: [channel.id], incidentId });
    await receiver.waitFor(() => byPath('/signed').length === 1);
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');

    const [request] = byPath('/signed');
    const headers = {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    };
    const verifier = new Webhook(channel.secret!);
    const event = verifier.verify(request!.body, headers) as { type: string; timestamp: string; data: Record<string, any> };
    expect(headers['webhook-id']).toBe((await notificationRow(db.pool, id!)).messageId);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(event.type).toBe('incident.opened');
    expect(event.data).toMatchObject({
      event: 'OPENED',
      reason: 'VOLUME_DROP',
      incidentId,
      expected: 120,
      actual: 0,
      scraper: { slug: 'demo-shop', name: 'Demo shop' },
      links: { run: `${PUBLIC_URL}/runs/42`, incident: `${PUBLIC_URL}/alerts?incident=${incidentId}` },
    });

    expect(() => verifier.verify(request!.body.replace('VOLUME_DROP', 'NOTHING_WRONG'), headers)).toThrow(/signature/i);
    const old = new Date(Date.now() - 10 * 60_000);
    const replayed = { ...headers, 'webhook-timestamp': String(Math.floor(old.getTime() / 1000)), 'webhook-signature': verifier.sign(headers['webhook-id'], old, request!.body) };
    expect(() => verifier.verify(request!.body, replayed)).toThrow(/too old/i);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(request!.body, headers)).toThrow(/signature/i);
  });

  it('retries 500, 500 and then 200 with the same webhook-id: delivered once, three attempts recorded, nothing else sent', async () => {
    const channel = await createChannel(server.admin, { name: 'flaky', kind: 'WEBHOOK', url: receiver.url('/flaky') });
    receiver.answer([500, 500], 200);
    const [id] = await queue(db.pool, { channelIds: [channel.id] });
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');

    const requests = byPath('/flaky');
    expect(requests).toHaveLength(3);
    const row = await notificationRow(db.pool, id!);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([row.messageId]));
    // Each retry is signed afresh (a new timestamp), and each verifies.
    for (const request of requests) expect(() => new Webhook(channel.secret!).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    expect(row).toMatchObject({ status: 'DELIVERED', attemptCount: 3 });
    expect(row.deliveredAt).toBeInstanceOf(Date);
    expect((await attemptsOf(db.pool, id!)).map((a) => [a.statusCode, a.ok])).toEqual([
      [500, false],
      [500, false],
      [200, true],
    ]);

    const { notification } = await server.admin.data(
      `query($id: ID!) { notification(id: $id) { status attemptCount nextAttemptAt deliveredAt title event channel { name } attempts { statusCode ok error durationMs response } } }`,
      { id: String(id) },
    );
    expect(notification).toMatchObject({ status: 'DELIVERED', attemptCount: 3, nextAttemptAt: null, title: 'Demo shop found 0 products', event: 'OPENED', channel: { name: 'flaky' } });
    expect(notification.attempts.map((a: { error: string | null }) => a.error)).toEqual(['the receiver answered 500', 'the receiver answered 500', null]);
    expect(notification.attempts[2].response).toBe('answered 200');
  });

  it('gives up after the last retry: FAILED, one attempt per step of the schedule and the first', async () => {
    const channel = await createChannel(server.admin, { name: 'broken', kind: 'WEBHOOK', url: receiver.url('/broken') });
    receiver.answer([], 503);
    const [id] = await queue(db.pool, { channelIds: [channel.id] });
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');
    receiver.answer([], 200);
    expect(await notificationRow(db.pool, id!)).toMatchObject({ status: 'FAILED', attemptCount: RETRIES.length + 1, deliveredAt: null });
    expect(byPath('/broken')).toHaveLength(RETRIES.length + 1);
  });

  it('disables a channel whose receiver answers 410 Gone, fails the notification, and sends nothing more to it', async () => {
    const channel = await createChannel(server.admin, { name: 'retired', kind: 'WEBHOOK', url: receiver.url('/retired') });
    receiver.answer([410], 200);
    const [id] = await queue(db.pool, { channelIds: [channel.id] });
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');
    expect(await notificationRow(db.pool, id!)).toMatchObject({ status: 'FAILED', attemptCount: 1 });

    const { alertChannels } = await server.admin.data(`{ alertChannels { id enabled disabledReason } }`);
    const retired = alertChannels.find((c: { id: string }) => c.id === channel.id);
    expect(retired.enabled).toBe(false);
    expect(retired.disabledReason).toMatch(/410 Gone/);

    // The outbox skips a disabled channel, and testChannel says why.
    expect(await queue(db.pool, { channelIds: [channel.id] })).toEqual([]);
    const { testChannel } = await server.admin.data(`mutation($id: ID!) { testChannel(id: $id) { __typename ... on Error { message } } }`, { id: channel.id });
    expect(testChannel.__typename).toBe('ChannelDisabledError');
    expect(byPath('/retired')).toHaveLength(1);

    // Enabled again, it clears its reason and takes notifications.
    const { updateAlertChannel } = await server.admin.data(
      `mutation($id: ID!) { updateAlertChannel(id: $id, input: { enabled: true }) { ... on MutationUpdateAlertChannelSuccess { data { enabled disabledReason } } } }`,
      { id: channel.id },
    );
    expect(updateAlertChannel.data).toEqual({ enabled: true, disabledReason: null });
  });

  it('fails, without sending, a notification whose channel was disabled after it was queued', async () => {
    const channel = await createChannel(server.admin, { name: 'switched-off', kind: 'WEBHOOK', url: receiver.url('/switched-off') });
    // Queued and disabled in one transaction: no delivery can come between them.
    const client = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    await client.connect();
    let id: number;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO notification (message_id, channel_id, event, payload) VALUES ('msg_switched_off', $1, 'OPENED', $2) RETURNING id`,
        [Number(channel.id), JSON.stringify(incidentPayload())],
      );
      id = rows[0]!.id;
      await client.query(`UPDATE alert_channel SET enabled = false WHERE id = $1`, [Number(channel.id)]);
      await client.query(`SELECT pg_notify('notification_queued', '')`);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    await waitUntil(() => settled(db.pool, id), 'the notification to settle');
    expect(await notificationRow(db.pool, id)).toMatchObject({ status: 'FAILED' });
    expect((await attemptsOf(db.pool, id))[0]).toMatchObject({ ok: false, statusCode: null, error: 'not sent: the channel is disabled' });
    expect(byPath('/switched-off')).toHaveLength(0);
  });

  it('follows no redirect: a 302 is a failed attempt and its target is never asked', async () => {
    const channel = await createChannel(server.admin, { name: 'moved', kind: 'WEBHOOK', url: receiver.url('/moved') });
    receiver.redirect('/moved', receiver.url('/elsewhere'));
    const [id] = await queue(db.pool, { channelIds: [channel.id] });
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');
    const attempts = await attemptsOf(db.pool, id!);
    expect(attempts.map((a) => [a.statusCode, a.ok, a.error])).toEqual(Array(RETRIES.length + 1).fill([302, false, 'the receiver answered 302']));
    expect(byPath('/elsewhere')).toHaveLength(0);
  });

  it('announces every attempt on incident_updated with the incident and notification ids', async () => {
    const listener = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query('LISTEN incident_updated');
    try {
      const { scraperId } = await seedScraper(db.pool, { slug: 'announced-shop' });
      const incidentId = await seedIncident(db.pool, scraperId);
      const channel = await createChannel(server.admin, { name: 'announced', kind: 'WEBHOOK', url: receiver.url('/announced') });
      receiver.answer([500], 200);
      const [id] = await queue(db.pool, { channelIds: [channel.id], incidentId });
      await waitUntil(() => heard.length >= 2, 'two announcements');
      expect(heard.map((payload) => JSON.parse(payload))).toEqual([
        { incidentId, notificationId: id },
        { incidentId, notificationId: id },
      ]);
    } finally {
      await listener.end();
    }
  });
});

describe('testChannel', () => {
  it('queues a TEST notification through the outbox, returns it, and its delivery shows on it', async () => {
    const channel = await createChannel(server.admin, { name: 'tested', kind: 'WEBHOOK', url: receiver.url('/tested') });
    const { testChannel } = await server.admin.data(
      `mutation($id: ID!) { testChannel(id: $id) { __typename ... on MutationTestChannelSuccess { data { id event status messageId title channel { id } } } } }`,
      { id: channel.id },
    );
    expect(testChannel.data).toMatchObject({ event: 'TEST', status: 'PENDING', channel: { id: channel.id } });
    await receiver.waitFor(() => byPath('/tested').length === 1);
    const event = new Webhook(channel.secret!).verify(byPath('/tested')[0]!.body, byPath('/tested')[0]!.headers as Record<string, string>) as {
      type: string;
      data: { reason: string; links: unknown };
    };
    expect(event.type).toBe('channel.test');
    expect(event.data.reason).toBe('TEST');
    expect(event.data.links).toEqual({ run: null, incident: null });
    expect(byPath('/tested')[0]!.headers['webhook-id']).toBe(testChannel.data.messageId);
    await waitUntil(async () => (await server.admin.data(`query($id: ID!) { notification(id: $id) { status } }`, { id: testChannel.data.id })).notification.status === 'DELIVERED', 'the test to be delivered');
  });

  it('answers NotFoundError for a channel that does not exist', async () => {
    const { testChannel } = await server.admin.data(`mutation { testChannel(id: "999999") { __typename } }`);
    expect(testChannel.__typename).toBe('NotFoundError');
  });
});

describe('Slack delivery', () => {
  it('posts a Block Kit message: a header, the scraper, reason and figures, and a button to the run in the admin', async () => {
    const channel = await createChannel(server.admin, { name: 'slack', kind: 'SLACK', url: receiver.url('/services/T000/B000/slacksecretpath') });
    const [id] = await queue(db.pool, { channelIds: [channel.id] });
    await receiver.waitFor(() => byPath('/services/T000/B000/slacksecretpath').length === 1);
    const message = JSON.parse(byPath('/services/T000/B000/slacksecretpath')[0]!.body) as { text: string; blocks: Array<Record<string, any>> };
    expect(message.text).toContain('Demo shop');
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(message.blocks[0]!.text).toEqual({ type: 'plain_text', text: 'Incident opened · Demo shop · VOLUME_DROP', emoji: true });
    const section = message.blocks[1]!;
    expect(section.text.text).toContain('Demo shop found 0 products');
    expect(section.fields.map((f: { text: string }) => f.text)).toEqual(
      expect.arrayContaining(['*Scraper*\nDemo shop', '*Reason*\nVOLUME_DROP', '*Expected*\n120', '*Actual*\n0']),
    );
    expect(message.blocks[2]!.elements[0]).toMatchObject({ type: 'button', url: `${PUBLIC_URL}/runs/42` });
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');
    expect((await notificationRow(db.pool, id!)).status).toBe('DELIVERED');
  });
});

describe('email delivery', () => {
  it('sends plain text and HTML through the SMTP server: subject with event, scraper and reason; a link to the run', async () => {
    const channel = await createChannel(server.admin, { name: 'mail', kind: 'EMAIL', recipients: ['ops@example.test', 'oncall@example.test'] });
    const [id] = await queue(db.pool, { channelIds: [channel.id] });
    await smtp.waitFor((messages) => messages.length === 1);
    const [mail] = smtp.messages;
    expect(smtp.envelopes[0]).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(mail!.subject).toBe('[Scrapedeck] Incident opened · Demo shop · VOLUME_DROP');
    expect(mail!.from?.text).toContain('alerts@scrapedeck.example.test');
    expect(mail!.text).toContain('Scraper: Demo shop (demo-shop)');
    expect(mail!.text).toContain('Reason: VOLUME_DROP');
    expect(mail!.text).toContain(`${PUBLIC_URL}/runs/42`);
    expect(mail!.html).toContain(`href="${PUBLIC_URL}/runs/42"`);
    expect(mail!.html).toContain('Demo shop found 0 products');
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');
    const [attempt] = await attemptsOf(db.pool, id!);
    expect(attempt).toMatchObject({ ok: true, statusCode: 250 });
    expect((await notificationRow(db.pool, id!)).status).toBe('DELIVERED');
  });
});
