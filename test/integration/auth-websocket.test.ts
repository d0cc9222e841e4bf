import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const JOB_LOGS = `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { jobId lastSeq lines { seq message } } }`;
const RUN_UPDATED = `subscription($scraperId: ID!) { runUpdated(scraperId: $scraperId) { id status } }`;

const { db, server } = useTestServer();
let scraperId: number;
let jobId: string;
let runner: Awaited<ReturnType<typeof seedRunner>>;

beforeAll(async () => {
  ({ scraperId } = await seedScraper(db.pool));
  runner = await seedRunner(db.pool);
  jobId = await insertRunningRun(db.pool, scraperId, runner.runnerId, 1);
});

async function revokedToken() {
  const { tokenId, token } = await seedToken(db.pool, 'ADMIN');
  await db.pool.query(`UPDATE api_token SET revoked_at = now() WHERE id = $1`, [tokenId]);
  return token;
}

async function revokedRunnerKey() {
  const { runnerId, apiKey } = await seedRunner(db.pool);
  await db.pool.query(`UPDATE runner SET revoked_at = now() WHERE id = $1`, [runnerId]);
  return apiKey;
}

describe('graphql-ws connections', () => {
  const refused: Array<[string, () => Promise<{ token?: string; apiKey?: string }>]> = [
    ['no credentials', async () => ({})],
    ['an unknown token', async () => ({ token: 'sdt_not-a-token' })],
    ['a revoked token', async () => ({ token: await revokedToken() })],
    ['a revoked runner key', async () => ({ apiKey: await revokedRunnerKey() })],
  ];

  it.each(refused)('are closed with 4403 when they bring %s', async (_label, credentials) => {
    const ws = server.client(await credentials()).ws();
    const sub = collect(ws, JOB_LOGS, { jobId });
    await sub.waitFor(() => sub.errors.length > 0);
    expect((sub.errors[0] as { code?: number }).code).toBe(4403);
    expect(sub.events).toEqual([]);
    await ws.dispose();
  });

  it('let a viewer follow jobLogs and runUpdated', async () => {
    const viewer = server.client({ token: (await seedToken(db.pool, 'VIEWER')).token });
    const ws = viewer.ws();
    const runnerClient = server.client({ apiKey: runner.apiKey });
    const logs = collect(ws, JOB_LOGS, { jobId });
    // Another scraper to trigger: this one's run is running, and a scraper runs one run at a time.
    const watched = await seedScraper(db.pool);
    const updates = collect(ws, RUN_UPDATED, { scraperId: String(watched.scraperId) });

    await runnerClient.data(`mutation($jobId: ID!) { appendLogs(jobId: $jobId, batchId: "w1", logs: [{ level: INFO, message: "watched" }]) { __typename } }`, { jobId });
    await logs.waitFor(() => logs.events.length > 0);
    expect(logs.events[0].jobLogs).toMatchObject({ jobId, lastSeq: 1, lines: [{ seq: 1, message: 'watched' }] });

    // runUpdated has no replay: trigger runs until the subscription, registered meanwhile, sees one.
    const triggered: string[] = [];
    for (let attempt = 0; attempt < 20 && updates.events.length === 0; attempt++) {
      // One run of a scraper at a time: the previous attempt's run makes way.
      if (triggered.length > 0) await server.admin.data(`mutation($jobId: ID!) { cancelRun(jobId: $jobId) { __typename } }`, { jobId: triggered.at(-1) });
      const { triggerRun } = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, { id: String(watched.scraperId) });
      triggered.push(triggerRun.data.id);
      await updates.waitFor(() => updates.events.length > 0, 500).catch(() => undefined);
    }
    expect(updates.events.length).toBeGreaterThan(0);
    // The first event may be the cancellation that made way for the last trigger: that trigger's run follows it.
    const last = triggered.at(-1);
    await updates.waitFor(() => updates.events.some((e) => e.runUpdated.id === last && e.runUpdated.status === 'QUEUED'));
    expect(updates.events.every((e) => triggered.includes(e.runUpdated.id))).toBe(true);
    expect([...logs.errors, ...updates.errors]).toEqual([]);
    logs.dispose();
    updates.dispose();
    await ws.dispose();
  });

  it('let a runner connect but not subscribe to logs', async () => {
    const ws = server.client({ apiKey: runner.apiKey }).ws();
    const sub = collect(ws, JOB_LOGS, { jobId });
    await sub.waitFor(() => sub.errors.length > 0 || sub.completed);
    expect(JSON.stringify(sub.errors)).toContain('Not authorized');
    expect(sub.events).toEqual([]);
    await ws.dispose();
  });

  it('let only runners wait for work: an admin or a viewer is refused workAvailable', async () => {
    const { token } = await seedToken(db.pool, 'VIEWER');
    for (const client of [server.admin, server.client({ token })]) {
      const ws = client.ws();
      const sub = collect(ws, `subscription { workAvailable { signalledAt } }`, {});
      await sub.waitFor(() => sub.errors.length > 0 || sub.completed);
      expect(JSON.stringify(sub.errors)).toContain('Not authorized');
      expect(sub.events).toEqual([]);
      await ws.dispose();
    }
    // A runner waits, or is told at once of a run left queued by the test above.
    const ws = server.client({ apiKey: runner.apiKey }).ws();
    const sub = collect(ws, `subscription { workAvailable { signalledAt } }`, {});
    const waiting = async () => (await db.pool.query(`SELECT waiting_until > now() AS waiting FROM runner WHERE id = $1`, [runner.runnerId])).rows[0].waiting;
    await expect.poll(async () => sub.events.length > 0 || (await waiting())).toBe(true);
    expect(sub.errors).toEqual([]);
    sub.dispose();
    await ws.dispose();
  });
});

describe('operations over graphql-ws', () => {
  const TRIGGER = `mutation($id: ID!) { triggerRun(scraperId: $id) { __typename ... on MutationTriggerRunSuccess { data { id status triggeredBy } } } }`;

  async function once(client: ReturnType<typeof server.admin.ws>, query: string, variables: Record<string, unknown>) {
    const results: Array<{ data?: any; errors?: unknown }> = [];
    await new Promise<void>((resolve, reject) =>
      client.subscribe({ query, variables }, { next: (r) => void results.push(r), error: reject, complete: resolve }),
    );
    return results;
  }

  it('runs an admin mutation over the websocket like over HTTP', async () => {
    const { scraperId: idleScraper } = await seedScraper(db.pool);
    const client = server.admin.ws();
    try {
      const [result] = await once(client, TRIGGER, { id: String(idleScraper) });
      if (!result) throw new Error("no result over the websocket");
      expect(result.errors).toBeUndefined();
      expect(result.data.triggerRun).toMatchObject({ __typename: 'MutationTriggerRunSuccess', data: { status: 'QUEUED', triggeredBy: 'MANUAL' } });
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM run WHERE scraper_id = $1`, [idleScraper]);
      expect(rows[0].n).toBe(1);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a viewer mutation over the websocket and stores nothing', async () => {
    const { scraperId: idleScraper } = await seedScraper(db.pool);
    const { token } = await seedToken(db.pool, 'VIEWER');
    const client = server.client({ token }).ws();
    try {
      const results = await once(client, TRIGGER, { id: String(idleScraper) }).catch((errors) => [{ errors }]);
      expect(JSON.stringify(results)).toContain('FORBIDDEN');
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM run WHERE scraper_id = $1`, [idleScraper]);
      expect(rows[0].n).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});
