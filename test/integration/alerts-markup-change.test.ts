/**
 * The alert path end to end, with real parts only: a real runner scrapes a demo shop whose markup
 * changes under it; the run ends WARNING with VOLUME_DROP, one incident opens and each channel (a
 * verifying webhook receiver, a Slack receiver, a real SMTP server) hears of it once; a second
 * broken run adds to the incident silently; the next good run resolves it with one "resolved" each.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel } from '../helpers/alerts.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { registerDemoScrapers, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startHttpReceiver, type HttpReceiver } from '../helpers/httpReceiver.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtpReceiver.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const PUBLIC_URL = 'https://admin.scrapedeck.example.test';

const CREATE_RUNNER = /* GraphQL */ `
  mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`;
const TRIGGER = /* GraphQL */ `
  mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;
const RUN = /* GraphQL */ `query($id: ID!) { run(id: $id) { id status productsFound warnings { reason expected actual } } }`;
const CREATE_RULE = /* GraphQL */ `
  mutation($input: AlertRuleInput!) {
    createAlertRule(input: $input) { __typename ... on MutationCreateAlertRuleSuccess { data { id } } ... on Error { message } }
  }`;
const INCIDENTS = /* GraphQL */ `
  query($scraperId: ID) {
    incidents(scraperId: $scraperId) {
      id status reason occurrences
      events { kind run { id } }
      notifications { event status channel { name } attempts { ok } }
    }
  }`;

const db = useTestDatabase();
let server: TestServer;
let sites: FixtureSites;
let runner: TestRunner;
let webhook: HttpReceiver;
let slack: HttpReceiver;
let smtp: SmtpReceiver;
let greenLeaf: number;
let webhookSecret: string;

beforeAll(async () => {
  [webhook, slack, smtp, sites] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startSmtpReceiver(), startFixtureSites()]);
  server = await startTestServer(db.url, {
    publicUrl: PUBLIC_URL,
    smtpUrl: smtp.url,
    // The receivers listen on 127.0.0.1.
    alertsAllowPrivateTargets: true,
    alertRetryScheduleSeconds: [0.5, 0.5],
  });
  greenLeaf = (await registerDemoScrapers(db.url, sites))['green-leaf']!;
  const created = await server.admin.data(CREATE_RUNNER, { name: 'alerts-markup-change' });
  runner = await startRunner({ apiUrl: server.httpUrl, apiKey: created.createRunner.data.apiKey });

  const hook = await createChannel(server.admin, { name: 'ops webhook', kind: 'WEBHOOK', url: webhook.url('/hook') });
  webhookSecret = hook.secret!;
  const chat = await createChannel(server.admin, { name: 'ops slack', kind: 'SLACK', url: slack.url('/services/T000/B000/XXXX') });
  const mail = await createChannel(server.admin, { name: 'ops email', kind: 'EMAIL', recipients: ['oncall@shop.example.test'] });
  const { createAlertRule } = await server.admin.data(CREATE_RULE, {
    input: {
      name: 'Green Leaf volume',
      kind: 'RUN_WARNING',
      scraperId: String(greenLeaf),
      warningReasons: ['VOLUME_DROP'],
      channelIds: [hook.id, chat.id, mail.id],
    },
  });
  expect(createAlertRule.__typename).toBe('MutationCreateAlertRuleSuccess');
});

afterAll(async () => {
  await runner?.stop();
  await server?.stop();
  await Promise.all([sites?.stop(), webhook?.close(), slack?.close(), smtp?.close()]);
});

async function scrapeGreenLeaf() {
  const id: string = (await server.admin.data(TRIGGER, { id: String(greenLeaf) })).triggerRun.data.id;
  let run: any;
  await waitUntil(async () => {
    run = (await server.admin.data(RUN, { id })).run;
    return ['SUCCESS', 'WARNING', 'ERROR'].includes(run.status);
  }, `run ${id} to end`, 30_000);
  return run;
}

/** Every webhook received, verified with the Standard Webhooks verifier (a failure throws). */
function verifiedWebhooks() {
  const verifier = new Webhook(webhookSecret);
  return webhook.received.map((request) => {
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    return { id: headers['webhook-id'], event: verifier.verify(request.body, headers) as { type: string; data: Record<string, any> } };
  });
}

async function incidentsOfGreenLeaf(): Promise<any[]> {
  return (await server.admin.data(INCIDENTS, { scraperId: String(greenLeaf) })).incidents;
}

describe('a shop whose markup changes under its scraper', () => {
  it('opens one incident told once per channel, adds a second broken run silently, and resolves with one "resolved" each', async () => {
    for (let i = 0; i < 3; i++) expect((await scrapeGreenLeaf()).status).toBe('SUCCESS');
    expect(await incidentsOfGreenLeaf()).toEqual([]);

    sites.setGreenLeafMarkup('cards');
    const broken = await scrapeGreenLeaf();
    expect(broken).toMatchObject({ status: 'WARNING', productsFound: 0, warnings: [{ reason: 'VOLUME_DROP', expected: 15, actual: 0 }] });

    await webhook.waitFor((r) => r.length >= 1);
    await slack.waitFor((r) => r.length >= 1);
    await smtp.waitFor((m) => m.length >= 1);
    const [opened] = verifiedWebhooks();
    expect(opened!.event.type).toBe('incident.opened');
    expect(opened!.event.data).toMatchObject({
      reason: 'VOLUME_DROP',
      expected: 15,
      actual: 0,
      scraper: { slug: 'green-leaf' },
      run: { id: Number(broken.id) },
      links: { run: `${PUBLIC_URL}/runs/${broken.id}` },
    });

    const slackMessage = JSON.parse(slack.received[0]!.body);
    const slackText = JSON.stringify(slackMessage.blocks);
    expect(slackMessage.blocks[0]).toMatchObject({ type: 'header' });
    expect(slackText).toContain('VOLUME_DROP');
    expect(slackText).toContain(`${PUBLIC_URL}/runs/${broken.id}`);

    const mail = smtp.messages[0]!;
    expect(mail.subject).toMatch(/Green Leaf/);
    expect(mail.text).toContain('VOLUME_DROP');
    expect(mail.text).toContain(`${PUBLIC_URL}/runs/${broken.id}`);
    expect(mail.html || '').toContain(`${PUBLIC_URL}/runs/${broken.id}`);

    // Still broken: the incident counts a second occurrence and nobody is told again.
    const again = await scrapeGreenLeaf();
    expect(again.warnings).toMatchObject([{ reason: 'VOLUME_DROP' }]);
    await waitUntil(async () => (await incidentsOfGreenLeaf())[0]?.occurrences === 2, 'the second occurrence');

    sites.setGreenLeafMarkup('list');
    const recovered = await scrapeGreenLeaf();
    expect(recovered).toMatchObject({ status: 'SUCCESS', productsFound: 15 });
    await webhook.waitFor((r) => r.length >= 2);
    await slack.waitFor((r) => r.length >= 2);
    await smtp.waitFor((m) => m.length >= 2);
    await waitUntil(async () => (await incidentsOfGreenLeaf())[0]?.notifications.every((n: any) => n.status === 'DELIVERED'), 'every notification delivered');

    const [incident, ...others] = await incidentsOfGreenLeaf();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ status: 'RESOLVED', reason: 'VOLUME_DROP', occurrences: 2 });
    expect(incident.events.map((e: any) => e.kind)).toEqual(['OPENED', 'RECURRED', 'RESOLVED']);
    expect(incident.events.map((e: any) => e.run?.id)).toEqual([broken.id, again.id, recovered.id]);
    expect(incident.notifications.map((n: any) => [n.channel.name, n.event]).sort()).toEqual(
      [
        ['ops email', 'OPENED'],
        ['ops email', 'RESOLVED'],
        ['ops slack', 'OPENED'],
        ['ops slack', 'RESOLVED'],
        ['ops webhook', 'OPENED'],
        ['ops webhook', 'RESOLVED'],
      ].sort(),
    );

    const hooks = verifiedWebhooks();
    expect(hooks.map((h) => h.event.type)).toEqual(['incident.opened', 'incident.resolved']);
    expect(new Set(hooks.map((h) => h.id)).size).toBe(2);
    expect(slack.received).toHaveLength(2);
    expect(smtp.messages).toHaveLength(2);
    expect(smtp.messages[1]!.subject).toMatch(/resolved/i);
  });
});
