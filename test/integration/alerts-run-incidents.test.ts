/**
 * Incidents from runs that end: a rule opens one incident per subject, further failures add to it
 * without a notification, the recovery resolves it with one; acknowledging, snoozing, the rules'
 * own validation and who may change them; and the incidentUpdated subscription.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { endRun, eventKinds, incidentsOfRule, outbox, seedChannel } from '../helpers/incidents.ts';
import { collect } from '../helpers/graphql.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();

const ERROR_FIELDS = /* GraphQL */ `
  ... on Error { message }
  ... on ValidationError { issues { path message } }
  ... on NotFoundError { entity id }`;

const CREATE_RULE = /* GraphQL */ `
  mutation($input: AlertRuleInput!) {
    createAlertRule(input: $input) {
      __typename
      ... on MutationCreateAlertRuleSuccess { data { id name kind threshold warningReasons freshnessLevel graceMinutes enabled channels { id name } scraper { id } } }
      ${ERROR_FIELDS}
    }
  }`;

let channelA: number;
let channelB: number;

beforeAll(async () => {
  channelA = await seedChannel(db.pool, 'ops-webhook');
  channelB = await seedChannel(db.pool, 'team-webhook');
});

async function createRule(input: Record<string, unknown>): Promise<number> {
  const { createAlertRule } = await server.admin.data(CREATE_RULE, { input: { channelIds: [String(channelA), String(channelB)], ...input } });
  if (createAlertRule.__typename !== 'MutationCreateAlertRuleSuccess') throw new Error(JSON.stringify(createAlertRule));
  return Number(createAlertRule.data.id);
}

describe('CONSECUTIVE_FAILURES', () => {
  it('five failures in a row under a 3-consecutive rule open one incident and one notification per channel; a SUCCESS resolves it once', async () => {
    const { scraperId } = await seedScraper(db.pool, { slug: 'flaky-shop' });
    const ruleId = await createRule({ name: 'three in a row', kind: 'CONSECUTIVE_FAILURES', scraperId: String(scraperId), threshold: 3 });

    const changed: number[][] = [];
    for (let i = 0; i < 5; i++) changed.push((await endRun(db.pool, scraperId, 'ERROR')).incidentIds);
    // Two failures are not three; the third opens, the fourth and fifth add to it.
    expect(changed.slice(0, 2)).toEqual([[], []]);
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(changed.slice(2)).toEqual([[incident!.id], [incident!.id], [incident!.id]]);
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'OPEN', reason: 'CONSECUTIVE_FAILURES', occurrences: 3, title: 'Scraper flaky-shop failed 3 runs in a row' }]);
    expect(await eventKinds(db.pool, incident!.id)).toEqual(['OPENED', 'RECURRED', 'RECURRED']);
    const opened = await outbox(db.pool, incident!.id);
    expect(opened.map((n) => [n.event, n.channelId])).toEqual([
      ['OPENED', channelA],
      ['OPENED', channelB],
    ]);
    expect(opened[0]!.payload).toMatchObject({ reason: 'CONSECUTIVE_FAILURES', incidentId: incident!.id, ruleId, scraper: { id: scraperId, slug: 'flaky-shop' }, run: { status: 'ERROR' } });

    const success = await endRun(db.pool, scraperId, 'SUCCESS');
    expect(success.incidentIds).toEqual([incident!.id]);
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED', openKey: null, occurrences: 3 }]);
    expect(await eventKinds(db.pool, incident!.id)).toEqual(['OPENED', 'RECURRED', 'RECURRED', 'RESOLVED']);
    const all = await outbox(db.pool, incident!.id);
    expect(all.map((n) => [n.event, n.channelId])).toEqual([
      ['OPENED', channelA],
      ['OPENED', channelB],
      ['RESOLVED', channelA],
      ['RESOLVED', channelB],
    ]);

    // A failure after the recovery starts a new streak: one failure opens nothing.
    expect((await endRun(db.pool, scraperId, 'ERROR')).incidentIds).toEqual([]);
  });

  it('skips CANCELLED runs: they neither fail nor break the streak', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const ruleId = await createRule({ name: 'two in a row', kind: 'CONSECUTIVE_FAILURES', scraperId: String(scraperId), threshold: 2, channelIds: [] });
    await endRun(db.pool, scraperId, 'ERROR');
    await endRun(db.pool, scraperId, 'CANCELLED');
    await endRun(db.pool, scraperId, 'ERROR');
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'OPEN', occurrences: 1 }]);
  });
});

describe('runs of one scraper ending at once', () => {
  it('under rules for the scraper and one for all, failures and recoveries ending together never deadlock, and leave one incident per rule', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const own = await createRule({ name: 'own failures', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    const all = await createRule({ name: 'any failure anywhere', kind: 'RUN_ERROR' });
    const twice = await createRule({ name: 'two in a row', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    // Each round, failures (which raise the rules' incidents one after the other) and successes
    // (which resolve them all in one statement) end at once: without an order between them, each could
    // hold the incident the other waits for.
    for (let round = 0; round < 60; round++) {
      const outcomes = await Promise.allSettled((['ERROR', 'SUCCESS', 'ERROR', 'SUCCESS', 'ERROR', 'SUCCESS', 'ERROR', 'SUCCESS'] as const).map((status) => endRun(db.pool, scraperId, status)));
      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    }
    for (const ruleId of [own, all, twice]) {
      const incidents = await incidentsOfRule(db.pool, ruleId);
      expect(incidents.filter((i) => i.status !== 'RESOLVED').length).toBeLessThanOrEqual(1);
      // Every incident was told opened once per channel, and resolved once per channel if it resolved.
      for (const incident of incidents) {
        const told = (await outbox(db.pool, incident.id)).map((n) => n.event);
        expect(told).toEqual(incident.status === 'RESOLVED' ? ['OPENED', 'OPENED', 'RESOLVED', 'RESOLVED'] : ['OPENED', 'OPENED']);
      }
    }
    // The rule for every scraper would otherwise judge the runs of the tests below.
    await db.pool.query(`DELETE FROM alert_rule WHERE id = ANY($1)`, [[own, all, twice]]);
  });
});

describe("the runner's retry of a completion whose answer was lost", () => {
  it('is answered as the first was and opens, adds to and tells nothing more', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const ruleId = await createRule({ name: 'retried failure', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    const runner = await seedRunner(db.pool);
    const jobId = await claimRunFor(server, scraperId, runner.apiKey);
    const complete = `mutation($jobId: ID!, $result: RunResultInput!) { completeRun(jobId: $jobId, result: $result) { __typename ... on MutationCompleteRunSuccess { data { id status } } } }`;
    const result = { status: 'ERROR', productsFound: 0, productsProcessed: 0, errorMessage: 'GET /menu answered 503' };
    const client = server.client({ apiKey: runner.apiKey });
    // The retry racing the first attempt, then once more after it.
    const answers = await Promise.all([client.data(complete, { jobId, result }), client.data(complete, { jobId, result })]);
    answers.push(await client.data(complete, { jobId, result }));
    for (const answer of answers) expect(answer.completeRun).toEqual({ __typename: 'MutationCompleteRunSuccess', data: { id: jobId, status: 'ERROR' } });
    const incidents = await incidentsOfRule(db.pool, ruleId);
    expect(incidents).toMatchObject([{ status: 'OPEN', occurrences: 1 }]);
    expect(await eventKinds(db.pool, incidents[0]!.id)).toEqual(['OPENED']);
    expect((await outbox(db.pool, incidents[0]!.id)).map((n) => [n.event, n.channelId])).toEqual([
      ['OPENED', channelA],
      ['OPENED', channelB],
    ]);
  });
});

describe('RUN_ERROR, RUN_WARNING and QUALITY_GATE', () => {
  it('RUN_ERROR opens on a failure, recurs silently, and resolves when a run no longer fails', async () => {
    const { scraperId } = await seedScraper(db.pool, { slug: 'broken-shop' });
    const ruleId = await createRule({ name: 'any failure', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    await endRun(db.pool, scraperId, 'ERROR', { errorType: 'TIMEOUT', errorMessage: 'no answer in 30 s' });
    await endRun(db.pool, scraperId, 'ERROR');
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(incident).toMatchObject({ status: 'OPEN', occurrences: 2, reason: 'RUN_ERROR' });
    expect(incident!.detail).toContain('TIMEOUT: no answer in 30 s');
    expect((await outbox(db.pool, incident!.id)).map((n) => n.event)).toEqual(['OPENED', 'OPENED']);

    const { incidents } = await server.admin.data(
      `query($id: ID!) { incidents(scraperId: $id, status: [OPEN]) { id status occurrences rule { id } scraper { slug } events { kind message run { status } } } }`,
      { id: String(scraperId) },
    );
    expect(incidents).toEqual([
      {
        id: String(incident!.id),
        status: 'OPEN',
        occurrences: 2,
        rule: { id: String(ruleId) },
        scraper: { slug: 'broken-shop' },
        events: [
          { kind: 'OPENED', message: expect.stringContaining('ended ERROR'), run: { status: 'ERROR' } },
          { kind: 'RECURRED', message: expect.stringContaining('ended ERROR'), run: { status: 'ERROR' } },
        ],
      },
    ]);

    const openCount = async () => (await server.admin.data(`{ health { scraper { slug } openIncidentCount } }`)).health.find((h: any) => h.scraper.slug === 'broken-shop').openIncidentCount;
    expect(await openCount()).toBe(1);

    // A WARNING run did not fail: the failure incident resolves.
    await endRun(db.pool, scraperId, 'WARNING', { warnings: [{ reason: 'FLAGS_RAISED', message: '3 flags', expected: null, actual: 3, gate: null }] });
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED' }]);
    expect(await openCount()).toBe(0);
  });

  it('RUN_WARNING fires on its reasons only and carries the expected and actual figures', async () => {
    const { scraperId } = await seedScraper(db.pool, { slug: 'quiet-shop' });
    const ruleId = await createRule({ name: 'volume', kind: 'RUN_WARNING', scraperId: String(scraperId), warningReasons: ['VOLUME_DROP'] });
    await endRun(db.pool, scraperId, 'WARNING', { warnings: [{ reason: 'FLAGS_RAISED', message: '2 flags', expected: null, actual: 2, gate: null }] });
    expect(await incidentsOfRule(db.pool, ruleId)).toEqual([]);

    const drop = { reason: 'VOLUME_DROP' as const, message: 'Found 0 products; expected about 40.', expected: 40, actual: 0, gate: null };
    await endRun(db.pool, scraperId, 'WARNING', { warnings: [drop] });
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(incident).toMatchObject({ status: 'OPEN', reason: 'VOLUME_DROP', title: 'Scraper quiet-shop ended WARNING: VOLUME_DROP' });
    const [notification] = await outbox(db.pool, incident!.id);
    expect(notification!.payload).toMatchObject({ reason: 'VOLUME_DROP', expected: 40, actual: 0, detail: expect.stringContaining('expected about 40') });

    // A WARNING run without the rule's reason resolves it: the volume is back.
    await endRun(db.pool, scraperId, 'WARNING', { warnings: [{ reason: 'FLAGS_RAISED', message: '1 flag', expected: null, actual: 1, gate: null }] });
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED' }]);
  });

  it('QUALITY_GATE fires on a broken gate, for a rule over every scraper', async () => {
    const { scraperId } = await seedScraper(db.pool, { slug: 'gated-shop' });
    const ruleId = await createRule({ name: 'gates everywhere', kind: 'QUALITY_GATE' });
    const gate = { reason: 'QUALITY_GATE' as const, message: '35% of products miss a price (at most 10%).', expected: 10, actual: 35, gate: 'maxMissingPercent.price' };
    await endRun(db.pool, scraperId, 'WARNING', { warnings: [gate] });
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(incident).toMatchObject({ status: 'OPEN', reason: 'QUALITY_GATE', title: 'Scraper gated-shop broke a quality gate: maxMissingPercent.price' });
    expect((await outbox(db.pool, incident!.id))[0]!.payload).toMatchObject({ expected: 10, actual: 35 });
    await endRun(db.pool, scraperId, 'SUCCESS');
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED' }]);
  });
});

describe('acknowledge and snooze', () => {
  const ACK = /* GraphQL */ `
    mutation($id: ID!) { acknowledgeIncident(id: $id) { __typename ... on MutationAcknowledgeIncidentSuccess { data { status acknowledgedAt events { kind } } } ... on IncidentResolvedError { incidentId } ${ERROR_FIELDS} } }`;

  it('an acknowledged incident stays open for the recovery, which resolves it; a resolved one cannot be acknowledged', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const ruleId = await createRule({ name: 'ack me', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    await endRun(db.pool, scraperId, 'ERROR');
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    const { acknowledgeIncident } = await server.admin.data(ACK, { id: String(incident!.id) });
    expect(acknowledgeIncident.data).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedAt: expect.any(String), events: [{ kind: 'OPENED' }, { kind: 'ACKNOWLEDGED' }] });
    // Again: nothing changes.
    expect((await server.admin.data(ACK, { id: String(incident!.id) })).acknowledgeIncident.data.events).toHaveLength(2);
    await endRun(db.pool, scraperId, 'ERROR');
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'ACKNOWLEDGED', occurrences: 2 }]);
    await endRun(db.pool, scraperId, 'SUCCESS');
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED' }]);
    expect((await outbox(db.pool, incident!.id)).map((n) => n.event)).toEqual(['OPENED', 'OPENED', 'RESOLVED', 'RESOLVED']);
    expect((await server.admin.data(ACK, { id: String(incident!.id) })).acknowledgeIncident).toEqual({
      __typename: 'IncidentResolvedError',
      incidentId: String(incident!.id),
      message: expect.stringContaining('resolved'),
    });
  });

  it('a snoozed rule records its incident but sends nothing; after the snooze, the next occurrence sends the opening', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const ruleId = await createRule({ name: 'snoozy', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    const snooze = async (minutes: number) =>
      (await server.admin.data(`mutation($id: ID!, $m: Int!) { snoozeAlertRule(id: $id, minutes: $m) { ... on MutationSnoozeAlertRuleSuccess { data { snoozedUntil } } } }`, { id: String(ruleId), m: minutes }))
        .snoozeAlertRule.data.snoozedUntil;
    expect(new Date(await snooze(60)).getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    await endRun(db.pool, scraperId, 'ERROR');
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(incident).toMatchObject({ status: 'OPEN' });
    expect(await outbox(db.pool, incident!.id)).toEqual([]);

    expect(await snooze(0)).toBeNull();
    await endRun(db.pool, scraperId, 'ERROR');
    expect((await outbox(db.pool, incident!.id)).map((n) => n.event)).toEqual(['OPENED', 'OPENED']);
    // Told once: a further failure adds nothing.
    await endRun(db.pool, scraperId, 'ERROR');
    expect(await outbox(db.pool, incident!.id)).toHaveLength(2);
  });

  it("a scraper's snooze quiets every rule about it, its resolution too", async () => {
    const { scraperId } = await seedScraper(db.pool);
    const ruleId = await createRule({ name: 'all failures', kind: 'RUN_ERROR' });
    const { snoozeScraperAlerts } = await server.admin.data(
      `mutation($id: ID!) { snoozeScraperAlerts(scraperId: $id, minutes: 30) { ... on MutationSnoozeScraperAlertsSuccess { data { id alertsSnoozedUntil } } } }`,
      { id: String(scraperId) },
    );
    expect(snoozeScraperAlerts.data.alertsSnoozedUntil).not.toBeNull();
    await endRun(db.pool, scraperId, 'ERROR');
    await endRun(db.pool, scraperId, 'SUCCESS');
    const { rows: mine } = await db.pool.query(`SELECT id, status FROM incident WHERE rule_id = $1 AND scraper_id = $2`, [ruleId, scraperId]);
    expect(mine).toEqual([{ id: expect.any(Number), status: 'RESOLVED' }]);
    expect(await outbox(db.pool, mine[0].id)).toEqual([]);
  });
});

describe('rules', () => {
  it('validates each kind: what it needs, what it takes, and channels that exist', async () => {
    const issues = async (input: Record<string, unknown>) => {
      const { createAlertRule } = await server.admin.data(CREATE_RULE, { input: { name: 'r', channelIds: [], ...input } });
      return createAlertRule;
    };
    expect((await issues({ kind: 'CONSECUTIVE_FAILURES' })).issues).toEqual([{ path: 'input.threshold', message: expect.stringContaining('needs a threshold') }]);
    expect((await issues({ kind: 'CONSECUTIVE_FAILURES', threshold: 1 })).issues).toEqual([{ path: 'input.threshold', message: expect.stringContaining('at least 2') }]);
    expect((await issues({ kind: 'SOURCE_FRESHNESS', freshnessLevel: 'FRESH' })).issues).toEqual([{ path: 'input.freshnessLevel', message: expect.stringContaining('STALE') }]);
    expect((await issues({ kind: 'RUN_ERROR', threshold: 3, graceMinutes: 5 })).issues).toEqual([
      { path: 'input.threshold', message: 'only CONSECUTIVE_FAILURES rules take threshold' },
      { path: 'input.graceMinutes', message: 'only EXPECTED_RUN_MISSING and RUNNER_OFFLINE rules take graceMinutes' },
    ]);
    expect((await issues({ kind: 'RUNNER_OFFLINE', scraperId: '1' })).issues).toEqual([{ path: 'input.scraperId', message: expect.stringContaining('runners') }]);
    expect(await issues({ kind: 'RUN_ERROR', channelIds: [String(channelA), '999999'] })).toMatchObject({ __typename: 'NotFoundError', entity: 'AlertChannel', id: '999999' });
    expect(await issues({ kind: 'RUN_ERROR', scraperId: '999999' })).toMatchObject({ __typename: 'NotFoundError', entity: 'Scraper' });
    // A grace left out gets the kind's default, stored where the rule shows it.
    expect((await issues({ kind: 'EXPECTED_RUN_MISSING' })).data).toMatchObject({ graceMinutes: 10, channels: [] });
  });

  it('updates a rule whole; one that watches something else resolves its open incidents', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const ruleId = await createRule({ name: 'to change', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    await endRun(db.pool, scraperId, 'ERROR');
    const { updateAlertRule } = await server.admin.data(
      `mutation($id: ID!, $input: AlertRuleInput!) { updateAlertRule(id: $id, input: $input) { __typename ... on MutationUpdateAlertRuleSuccess { data { name kind threshold channels { id } } } } }`,
      { id: String(ruleId), input: { name: 'changed', kind: 'CONSECUTIVE_FAILURES', threshold: 4, scraperId: String(scraperId), channelIds: [String(channelB)] } },
    );
    expect(updateAlertRule.data).toEqual({ name: 'changed', kind: 'CONSECUTIVE_FAILURES', threshold: 4, channels: [{ id: String(channelB) }] });
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(incident).toMatchObject({ status: 'RESOLVED' });
    // The channels told of the opening hear of the resolution.
    expect((await outbox(db.pool, incident!.id)).map((n) => [n.event, n.channelId])).toEqual([
      ['OPENED', channelA],
      ['OPENED', channelB],
      ['RESOLVED', channelA],
      ['RESOLVED', channelB],
    ]);
    const { deleteAlertRule } = await server.admin.data(`mutation($id: ID!) { deleteAlertRule(id: $id) { ... on MutationDeleteAlertRuleSuccess { data } } }`, { id: String(ruleId) });
    expect(deleteAlertRule.data).toBe(String(ruleId));
    expect(await incidentsOfRule(db.pool, ruleId)).toEqual([]);
  });

  it('a viewer reads rules and incidents and changes nothing', async () => {
    const viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
    const { alertRules } = await viewer.data(`{ alertRules { id name kind channels { name } } }`);
    expect(alertRules.length).toBeGreaterThan(0);
    expect((await viewer.data(`{ incidents(first: 5) { id title } }`)).incidents.length).toBeGreaterThan(0);
    const attempts = [
      viewer.request(CREATE_RULE, { input: { name: 'nope', kind: 'RUN_ERROR', channelIds: [] } }),
      viewer.request(`mutation($id: ID!) { deleteAlertRule(id: $id) { __typename } }`, { id: alertRules[0].id }),
      viewer.request(`mutation($id: ID!) { snoozeAlertRule(id: $id, minutes: 5) { __typename } }`, { id: alertRules[0].id }),
      viewer.request(`mutation { snoozeScraperAlerts(scraperId: "1", minutes: 5) { __typename } }`),
      viewer.request(`mutation { acknowledgeIncident(id: "1") { __typename } }`),
    ];
    for (const response of await Promise.all(attempts)) expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await viewer.data(`{ alertRules { id } }`)).alertRules).toHaveLength(alertRules.length);
  });
});

describe('incidentUpdated', () => {
  it('delivers an opening live, then its resolution', async () => {
    const viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
    const ws = viewer.ws();
    const warmUp = await seedScraper(db.pool);
    await createRule({ name: 'warm-up', kind: 'RUN_ERROR', scraperId: String(warmUp.scraperId), channelIds: [] });
    const { scraperId } = await seedScraper(db.pool, { slug: 'live-shop' });
    await createRule({ name: 'live', kind: 'RUN_ERROR', scraperId: String(scraperId) });
    const sub = collect(ws, `subscription { incidentUpdated { incident { id status title occurrences } notification { id } } }`);
    try {
      // incidentUpdated has no replay: fail another scraper until the subscription, registered meanwhile, sees it.
      for (let attempt = 0; attempt < 20 && sub.events.length === 0; attempt++) {
        await endRun(db.pool, warmUp.scraperId, 'ERROR');
        await sub.waitFor(() => sub.events.length > 0, 500).catch(() => undefined);
      }
      expect(sub.events.length).toBeGreaterThan(0);

      const { incidentIds } = await endRun(db.pool, scraperId, 'ERROR');
      const id = String(incidentIds[0]);
      await sub.waitFor(() => sub.events.some((e) => e.incidentUpdated.incident?.id === id));
      expect(sub.events.find((e) => e.incidentUpdated.incident?.id === id)!.incidentUpdated).toEqual({
        incident: { id, status: 'OPEN', title: 'Scraper live-shop failed', occurrences: 1 },
        notification: null,
      });
      await endRun(db.pool, scraperId, 'SUCCESS');
      await sub.waitFor(() => sub.events.some((e) => e.incidentUpdated.incident?.id === id && e.incidentUpdated.incident.status === 'RESOLVED'));
      expect(sub.errors).toEqual([]);
    } finally {
      sub.dispose();
      await ws.dispose();
    }
  });
});
