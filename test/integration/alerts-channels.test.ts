import { beforeAll, describe, expect, it } from 'vitest';
import { createChannel } from '../helpers/alerts.ts';
import type { GraphQLTestClient } from '../helpers/graphql.ts';
import { seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

// Private targets not allowed: URLs are held to https and public hosts, as in a shared deployment.
const { db, server } = useTestServer();
let viewer: GraphQLTestClient;

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 42).toString('base64')}`;
const SLACK_URL = 'https://hooks.slack.example.test/services/T0SECRET/B0SECRET/xoxSlackTokenSecret';
const WEBHOOK_URL = 'https://hooks.example.test/scrapedeck/receive?token=webhookPathSecret';

const CREATE = `mutation($input: CreateAlertChannelInput!) {
  createAlertChannel(input: $input) {
    __typename
    ... on MutationCreateAlertChannelSuccess { data { secret channel { id name kind url hasSecret recipients enabled disabledReason } } }
    ... on ChannelSettingsError { field message }
    ... on ChannelNameTakenError { name message }
    ... on ValidationError { message issues { path message } }
    ... on Error { message }
  }
}`;

const UPDATE = `mutation($id: ID!, $input: UpdateAlertChannelInput!) {
  updateAlertChannel(id: $id, input: $input) {
    __typename
    ... on MutationUpdateAlertChannelSuccess { data { id name url hasSecret recipients enabled } }
    ... on ChannelSettingsError { field message }
    ... on ChannelNameTakenError { name message }
    ... on ValidationError { message issues { path message } }
    ... on Error { message }
  }
}`;

const LIST = `{ alertChannels { id name kind url hasSecret recipients enabled disabledReason createdAt notifications { id status } } }`;

beforeAll(async () => {
  viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
});

describe('creating channels', () => {
  it('makes a webhook signing secret when none is given and returns it once, never again', async () => {
    const { createAlertChannel } = await server.admin.data(CREATE, { input: { name: 'ops webhook', kind: 'WEBHOOK', url: 'https://hooks.example.test/a' } });
    const { secret, channel } = createAlertChannel.data;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(channel).toMatchObject({ kind: 'WEBHOOK', url: 'https://hooks.example.test/a', hasSecret: true, recipients: [], enabled: true });
    const { rows } = await db.pool.query(`SELECT secret FROM alert_channel WHERE id = $1`, [Number(channel.id)]);
    expect(rows[0].secret).toBe(secret);
    expect(JSON.stringify(await server.admin.data(LIST))).not.toContain(secret);
  });

  it('keeps a secret given in the input and does not return it', async () => {
    const { createAlertChannel } = await server.admin.data(CREATE, { input: { name: 'own secret', kind: 'WEBHOOK', url: 'https://hooks.example.test/b', secret: WEBHOOK_SECRET } });
    expect(createAlertChannel.data.secret).toBeNull();
    expect(createAlertChannel.data.channel.hasSecret).toBe(true);
  });

  it('makes Slack and email channels', async () => {
    const slack = await server.admin.data(CREATE, { input: { name: 'slack', kind: 'SLACK', url: SLACK_URL } });
    expect(slack.createAlertChannel.data).toMatchObject({ secret: null, channel: { kind: 'SLACK', url: 'https://hooks.slack.example.test/…', hasSecret: false } });
    const email = await server.admin.data(CREATE, { input: { name: 'mail', kind: 'EMAIL', recipients: ['ops@example.test'] } });
    expect(email.createAlertChannel.data).toMatchObject({ secret: null, channel: { kind: 'EMAIL', url: null, recipients: ['ops@example.test'] } });
  });

  it.each([
    ['a webhook without a URL', { kind: 'WEBHOOK' }, 'url'],
    ['an http URL', { kind: 'WEBHOOK', url: 'http://hooks.example.test/x' }, 'url'],
    ['a URL that is not one', { kind: 'SLACK', url: 'hooks.slack.com/services/x' }, 'url'],
    ['a URL with credentials', { kind: 'WEBHOOK', url: 'https://user:pw@hooks.example.test/x' }, 'url'],
    ['a loopback address', { kind: 'WEBHOOK', url: 'https://127.0.0.1/x' }, 'url'],
    ['localhost', { kind: 'WEBHOOK', url: 'https://localhost:8443/x' }, 'url'],
    ['the cloud metadata address', { kind: 'WEBHOOK', url: 'https://169.254.169.254/latest/meta-data' }, 'url'],
    ['a private network address', { kind: 'SLACK', url: 'https://10.1.2.3/x' }, 'url'],
    ['an IPv4-mapped IPv6 loopback', { kind: 'WEBHOOK', url: 'https://[::ffff:127.0.0.1]/x' }, 'url'],
    ['an email channel without recipients', { kind: 'EMAIL' }, 'recipients'],
    ['an email channel with a URL', { kind: 'EMAIL', recipients: ['a@example.test'], url: 'https://hooks.example.test/x' }, 'url'],
    ['a secret on a Slack channel', { kind: 'SLACK', url: SLACK_URL, secret: WEBHOOK_SECRET }, 'secret'],
    ['a secret that is not a Standard Webhooks secret', { kind: 'WEBHOOK', url: 'https://hooks.example.test/x', secret: 'hunter2-not-whsec' }, 'secret'],
  ])('refuses %s with ChannelSettingsError naming the field, and stores nothing', async (_what, settings, field) => {
    const { createAlertChannel } = await server.admin.data(CREATE, { input: { name: `refused ${field}`, ...settings } });
    expect(createAlertChannel).toMatchObject({ __typename: 'ChannelSettingsError', field });
    expect(JSON.stringify(createAlertChannel)).not.toContain('hunter2');
    expect(JSON.stringify(createAlertChannel)).not.toContain('T0SECRET');
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM alert_channel WHERE name = $1`, [`refused ${field}`]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses bad recipients and names with a ValidationError', async () => {
    const bad = await server.admin.data(CREATE, { input: { name: 'bad mail', kind: 'EMAIL', recipients: ['not-an-address'] } });
    expect(bad.createAlertChannel.__typename).toBe('ValidationError');
    expect(bad.createAlertChannel.issues[0].path).toBe('input.recipients.0');
    const many = await server.admin.data(CREATE, { input: { name: 'many', kind: 'EMAIL', recipients: Array.from({ length: 21 }, (_, i) => `u${i}@example.test`) } });
    expect(many.createAlertChannel.__typename).toBe('ValidationError');
    const empty = await server.admin.data(CREATE, { input: { name: '  ', kind: 'EMAIL', recipients: ['a@example.test'] } });
    expect(empty.createAlertChannel.__typename).toBe('ValidationError');
  });

  it('refuses a taken name with ChannelNameTakenError', async () => {
    await createChannel(server.admin, { name: 'twice', kind: 'EMAIL', recipients: ['a@example.test'] });
    const { createAlertChannel } = await server.admin.data(CREATE, { input: { name: 'twice', kind: 'EMAIL', recipients: ['b@example.test'] } });
    expect(createAlertChannel).toMatchObject({ __typename: 'ChannelNameTakenError', name: 'twice' });
  });
});

describe('changing and deleting channels', () => {
  it('changes what is given and keeps the rest, under the same rules as creation', async () => {
    const { id } = await createChannel(server.admin, { name: 'changing', kind: 'WEBHOOK', url: 'https://hooks.example.test/old' });
    const renamed = await server.admin.data(UPDATE, { id, input: { name: 'changed', url: 'https://hooks.example.test/new', secret: WEBHOOK_SECRET } });
    expect(renamed.updateAlertChannel.data).toMatchObject({ name: 'changed', url: 'https://hooks.example.test/new', hasSecret: true });
    expect(JSON.stringify(renamed)).not.toContain(WEBHOOK_SECRET);
    const { rows } = await db.pool.query(`SELECT secret FROM alert_channel WHERE id = $1`, [Number(id)]);
    expect(rows[0].secret).toBe(WEBHOOK_SECRET);

    expect((await server.admin.data(UPDATE, { id, input: { url: 'http://hooks.example.test/new' } })).updateAlertChannel).toMatchObject({ __typename: 'ChannelSettingsError', field: 'url' });
    expect((await server.admin.data(UPDATE, { id, input: { recipients: ['a@example.test'] } })).updateAlertChannel).toMatchObject({ __typename: 'ChannelSettingsError', field: 'recipients' });
    expect((await server.admin.data(UPDATE, { id, input: { name: 'twice' } })).updateAlertChannel).toMatchObject({ __typename: 'ChannelNameTakenError' });
    expect((await server.admin.data(UPDATE, { id: '999999', input: { name: 'nobody' } })).updateAlertChannel.__typename).toBe('NotFoundError');
  });

  it('clears the reason a channel was disabled when it is enabled again', async () => {
    const { id } = await createChannel(server.admin, { name: 'gone once', kind: 'WEBHOOK', url: 'https://hooks.example.test/gone' });
    await db.pool.query(`UPDATE alert_channel SET enabled = false, disabled_reason = 'The receiver answered 410 Gone' WHERE id = $1`, [Number(id)]);
    const disabled = await server.admin.data(UPDATE, { id, input: { name: 'gone once, renamed' } });
    expect(disabled.updateAlertChannel.data.enabled).toBe(false);
    const { updateAlertChannel } = await server.admin.data(
      `mutation($id: ID!) { updateAlertChannel(id: $id, input: { enabled: true }) { ... on MutationUpdateAlertChannelSuccess { data { enabled disabledReason } } } }`,
      { id },
    );
    expect(updateAlertChannel.data).toEqual({ enabled: true, disabledReason: null });
  });

  it('deletes a channel with its notifications', async () => {
    const { id } = await createChannel(server.admin, { name: 'deleted', kind: 'EMAIL', recipients: ['a@example.test'] });
    await db.pool.query(`INSERT INTO notification (message_id, channel_id, event, payload, status) VALUES ('msg_deleted', $1, 'TEST', '{"title":"t"}', 'FAILED')`, [Number(id)]);
    const { deleteAlertChannel } = await server.admin.data(`mutation($id: ID!) { deleteAlertChannel(id: $id) { __typename ... on MutationDeleteAlertChannelSuccess { data } } }`, { id });
    expect(deleteAlertChannel).toEqual({ __typename: 'MutationDeleteAlertChannelSuccess', data: id });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM notification WHERE channel_id = $1`, [Number(id)]);
    expect(rows[0].n).toBe(0);
    const again = await server.admin.data(`mutation($id: ID!) { deleteAlertChannel(id: $id) { __typename } }`, { id });
    expect(again.deleteAlertChannel.__typename).toBe('NotFoundError');
  });
});

describe('secrets and viewers', () => {
  it('never returns a secret or a Slack URL in any answer, to admins or viewers, nor in an error', async () => {
    const webhook = await createChannel(server.admin, { name: 'secretive', kind: 'WEBHOOK', url: WEBHOOK_URL, secret: WEBHOOK_SECRET });
    const slack = await createChannel(server.admin, { name: 'secretive slack', kind: 'SLACK', url: SLACK_URL });
    const secrets = [WEBHOOK_SECRET, 'xoxSlackTokenSecret', 'T0SECRET'];
    const answers = [
      await server.admin.request(LIST),
      await viewer.request(LIST),
      await server.admin.request(UPDATE, { id: slack.id, input: { url: `${SLACK_URL}/http-not`.replace('https', 'http') } }),
      await server.admin.request(UPDATE, { id: webhook.id, input: { secret: `${WEBHOOK_SECRET}!` } }),
      await server.admin.request(CREATE, { input: { name: 'secretive', kind: 'SLACK', url: SLACK_URL } }),
      await server.admin.request(CREATE, { input: { name: 'secretive 2', kind: 'SLACK', url: `${SLACK_URL}${'x'.repeat(2100)}` } }),
      await viewer.request(CREATE, { input: { name: 'by a viewer', kind: 'WEBHOOK', url: WEBHOOK_URL, secret: WEBHOOK_SECRET } }),
      await viewer.request(UPDATE, { id: webhook.id, input: { url: SLACK_URL } }),
    ];
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    const admins = (answers[0]!.data as { alertChannels: Array<{ name: string; url: string }> }).alertChannels;
    expect(admins.find((c) => c.name === 'secretive')!.url).toBe(WEBHOOK_URL);
    expect(admins.find((c) => c.name === 'secretive slack')!.url).toBe('https://hooks.slack.example.test/…');
  });

  it('shows viewers every channel with webhook URLs masked to scheme and host', async () => {
    await createChannel(server.admin, { name: 'masked', kind: 'WEBHOOK', url: 'https://hooks.example.test:8443/deep/path?key=1' });
    const { alertChannels } = await viewer.data(LIST);
    const masked = alertChannels.find((c: { name: string }) => c.name === 'masked');
    expect(masked).toMatchObject({ kind: 'WEBHOOK', url: 'https://hooks.example.test:8443/…', hasSecret: true });
  });

  it('lets a viewer read notifications but change nothing: create, update, delete and test are refused', async () => {
    const { id } = await createChannel(server.admin, { name: 'read only', kind: 'EMAIL', recipients: ['a@example.test'] });
    const refused = async (document: string, variables: Record<string, unknown>) => {
      const answer = await viewer.request(document, variables);
      expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    };
    await refused(CREATE, { input: { name: 'viewer made', kind: 'EMAIL', recipients: ['a@example.test'] } });
    await refused(UPDATE, { id, input: { enabled: false } });
    await refused(`mutation($id: ID!) { deleteAlertChannel(id: $id) { __typename } }`, { id });
    await refused(`mutation($id: ID!) { testChannel(id: $id) { __typename } }`, { id });
    const { rows } = await db.pool.query(`SELECT enabled, (SELECT count(*)::int FROM notification WHERE channel_id = $1) AS notifications FROM alert_channel WHERE id = $1`, [Number(id)]);
    expect(rows[0]).toEqual({ enabled: true, notifications: 0 });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM alert_channel WHERE name = 'viewer made'`)).rows[0].n).toBe(0);

    const anonymous = await server.client().request(LIST);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(anonymous.data).toBeNull();
  });

  it('hides the receiver answer of delivery attempts from viewers', async () => {
    const { id } = await createChannel(server.admin, { name: 'answered', kind: 'EMAIL', recipients: ['a@example.test'] });
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO notification (message_id, channel_id, event, payload, status, attempt_count) VALUES ('msg_answered', $1, 'TEST', '{"title":"A test"}', 'FAILED', 1) RETURNING id`,
      [Number(id)],
    );
    await db.pool.query(`INSERT INTO delivery_attempt (notification_id, status_code, ok, error, response, duration_ms) VALUES ($1, 550, false, 'SMTP: mailbox unavailable', '550 no such user', 12)`, [rows[0]!.id]);
    const query = `query($id: ID!) { notification(id: $id) { title status attempts { statusCode ok error durationMs response } } }`;
    const seenByViewer = (await viewer.data(query, { id: String(rows[0]!.id) })).notification;
    expect(seenByViewer).toEqual({ title: 'A test', status: 'FAILED', attempts: [{ statusCode: 550, ok: false, error: 'SMTP: mailbox unavailable', durationMs: 12, response: null }] });
    const seenByAdmin = (await server.admin.data(query, { id: String(rows[0]!.id) })).notification;
    expect(seenByAdmin.attempts[0].response).toBe('550 no such user');
  });
});
