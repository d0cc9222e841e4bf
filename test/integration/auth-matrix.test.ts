import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLTestClient } from '../helpers/graphql.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

type Caller = 'anonymous' | 'viewer token' | 'ADMIN_TOKEN' | 'created admin token' | 'runner key' | 'revoked token' | 'revoked runner key';
const CALLERS: Caller[] = ['anonymous', 'viewer token', 'ADMIN_TOKEN', 'created admin token', 'runner key', 'revoked token', 'revoked runner key'];
const ADMINS: Caller[] = ['ADMIN_TOKEN', 'created admin token'];
const READERS: Caller[] = ['viewer token', ...ADMINS];

const { db, server } = useTestServer();
let scraperId: number;
let otherRunnerId: number;
const clients = new Map<Caller, GraphQLTestClient>();
const runnerIds = new Map<Caller, number>();

beforeAll(async () => {
  ({ scraperId } = await seedScraper(db.pool, { slug: 'matrix' }));
  ({ runnerId: otherRunnerId } = await seedRunner(db.pool, 'someone-else'));

  const token = async (name: string, role: 'ADMIN' | 'VIEWER') => {
    const { createToken } = await server.admin.data(
      `mutation($name: String!, $role: TokenRole!) { createToken(name: $name, role: $role) { ... on MutationCreateTokenSuccess { data { token apiToken { id } } } } }`,
      { name, role },
    );
    return createToken.data as { token: string; apiToken: { id: string } };
  };
  const runner = async (name: string) => {
    const { createRunner } = await server.admin.data(
      `mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey runner { id } } } } }`,
      { name },
    );
    return createRunner.data as { apiKey: string; runner: { id: string } };
  };

  const viewer = await token('viewer', 'VIEWER');
  const admin = await token('second admin', 'ADMIN');
  const revoked = await token('revoked admin', 'ADMIN');
  await server.admin.data(`mutation($id: ID!) { revokeToken(id: $id) { __typename } }`, { id: revoked.apiToken.id });
  const active = await runner('matrix-runner');
  const gone = await runner('revoked-runner');
  await server.admin.data(`mutation($id: ID!) { revokeRunner(id: $id) { __typename } }`, { id: gone.runner.id });

  clients.set('anonymous', server.client());
  clients.set('viewer token', server.client({ token: viewer.token }));
  clients.set('ADMIN_TOKEN', server.admin);
  clients.set('created admin token', server.client({ token: admin.token }));
  clients.set('runner key', server.client({ apiKey: active.apiKey }));
  clients.set('revoked token', server.client({ token: revoked.token }));
  clients.set('revoked runner key', server.client({ apiKey: gone.apiKey }));
  runnerIds.set('runner key', Number(active.runner.id));
  runnerIds.set('revoked runner key', Number(gone.runner.id));
});

async function insertRun(status: 'QUEUED' | 'RUNNING', runnerId: number | null = null): Promise<number> {
  const { rows } = await db.pool.query(
    `INSERT INTO run (scraper_id, triggered_by, status, runner_id, started_at, lease_expires_at)
     VALUES ($1, 'MANUAL', $2::"RunStatus", $3, CASE WHEN $2 = 'RUNNING' THEN now() END,
             CASE WHEN $2 = 'RUNNING' THEN now() + interval '5 seconds' END)
     RETURNING id`,
    [scraperId, status, runnerId],
  );
  return rows[0].id;
}

const one = async (sql: string, values: unknown[]) => (await db.pool.query(sql, values)).rows[0];
const slugOf = (caller: Caller) => caller.toLowerCase().replace(/[^a-z]+/g, '-');

/** A run held by the caller when it is a runner (revoked or not), else by another runner. */
const heldRun = (caller: Caller) => insertRun('RUNNING', runnerIds.get(caller) ?? otherRunnerId);

type Operation = {
  name: string;
  allowed: Caller[];
  document: string;
  /** Makes the state the operation needs and returns its variables and a probe of its effect. */
  prepare(caller: Caller): Promise<{ variables: Record<string, unknown>; happened(): Promise<boolean> }>;
};

const noEffect = async () => true;

const OPERATIONS: Operation[] = [
  {
    name: 'read runs',
    allowed: READERS,
    document: `{ runs(first: 5) { edges { node { id status } } } }`,
    prepare: async () => ({ variables: {}, happened: noEffect }),
  },
  {
    name: 'read scrapers',
    allowed: READERS,
    document: `{ scrapers { id slug } }`,
    prepare: async () => ({ variables: {}, happened: noEffect }),
  },
  {
    name: 'read runners',
    allowed: READERS,
    document: `{ runners { id name lastSeenAt currentRun { id } } }`,
    prepare: async () => ({ variables: {}, happened: noEffect }),
  },
  {
    name: 'read jobLogs',
    allowed: READERS,
    document: `query($jobId: ID!) { jobLogs(jobId: $jobId) { edges { node { seq } } } }`,
    prepare: async () => ({ variables: { jobId: String(await insertRun('QUEUED')) }, happened: noEffect }),
  },
  {
    name: 'searchLogs',
    allowed: READERS,
    document: `{ searchLogs(query: "matrix") { __typename ... on QuerySearchLogsSuccess { data { edges { node { id } } } } } }`,
    prepare: async () => ({ variables: {}, happened: noEffect }),
  },
  {
    name: 'cronPreview',
    allowed: READERS,
    document: `{ cronPreview(cron: "@hourly", timezone: "UTC") { __typename ... on CronPreview { nextFireTimes } } }`,
    prepare: async () => ({ variables: {}, happened: noEffect }),
  },
  {
    name: 'triggerRun',
    allowed: ADMINS,
    document: `mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`,
    async prepare() {
      // One run of a scraper at a time: the runs other operations left make way.
      await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE scraper_id = $1 AND status IN ('QUEUED', 'RUNNING')`, [scraperId]);
      const before = (await one(`SELECT count(*)::int AS n FROM run`, [])).n;
      return { variables: { id: String(scraperId) }, happened: async () => (await one(`SELECT count(*)::int AS n FROM run`, [])).n > before };
    },
  },
  {
    name: 'pauseScraper',
    allowed: ADMINS,
    document: `mutation($id: ID!) { pauseScraper(scraperId: $id) { __typename } }`,
    async prepare() {
      await db.pool.query(`UPDATE scraper SET paused = false WHERE id = $1`, [scraperId]);
      return { variables: { id: String(scraperId) }, happened: async () => (await one(`SELECT paused FROM scraper WHERE id = $1`, [scraperId])).paused };
    },
  },
  {
    name: 'pauseScrapers',
    allowed: ADMINS,
    document: `mutation($ids: [ID!]!) { pauseScrapers(ids: $ids) { __typename } }`,
    async prepare() {
      await db.pool.query(`UPDATE scraper SET paused = false WHERE id = $1`, [scraperId]);
      return { variables: { ids: [String(scraperId)] }, happened: async () => (await one(`SELECT paused FROM scraper WHERE id = $1`, [scraperId])).paused };
    },
  },
  {
    name: 'resumeScrapers',
    allowed: ADMINS,
    document: `mutation($ids: [ID!]!) { resumeScrapers(ids: $ids) { __typename } }`,
    async prepare() {
      await db.pool.query(`UPDATE scraper SET paused = true WHERE id = $1`, [scraperId]);
      return { variables: { ids: [String(scraperId)] }, happened: async () => !(await one(`SELECT paused FROM scraper WHERE id = $1`, [scraperId])).paused };
    },
  },
  {
    name: 'triggerRuns',
    allowed: ADMINS,
    document: `mutation($ids: [ID!]!) { triggerRuns(scraperIds: $ids) { __typename } }`,
    async prepare() {
      await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE scraper_id = $1 AND status IN ('QUEUED', 'RUNNING')`, [scraperId]);
      const before = (await one(`SELECT count(*)::int AS n FROM run`, [])).n;
      return { variables: { ids: [String(scraperId)] }, happened: async () => (await one(`SELECT count(*)::int AS n FROM run`, [])).n > before };
    },
  },
  {
    name: 'retryRuns',
    allowed: ADMINS,
    document: `mutation($ids: [ID!]!) { retryRuns(runIds: $ids) { __typename } }`,
    async prepare() {
      await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE scraper_id = $1 AND status IN ('QUEUED', 'RUNNING')`, [scraperId]);
      const { id } = await one(`INSERT INTO run (scraper_id, status, triggered_by, completed_at) VALUES ($1, 'ERROR', 'API', now()) RETURNING id`, [scraperId]);
      return { variables: { ids: [String(id)] }, happened: async () => !!(await one(`SELECT 1 AS x FROM run WHERE retry_of_id = $1`, [id])) };
    },
  },
  {
    name: 'read totalCount of runs, flags and jobLogs',
    allowed: READERS,
    document: `query($jobId: ID!) { runs { totalCount totalCountExact } flags { totalCount } jobLogs(jobId: $jobId) { totalCount } }`,
    prepare: async () => ({ variables: { jobId: String(await insertRun('QUEUED')) }, happened: noEffect }),
  },
  {
    name: 'createToken',
    allowed: ADMINS,
    document: `mutation($name: String!) { createToken(name: $name, role: ADMIN) { __typename } }`,
    async prepare(caller) {
      const name = `made by ${caller}`;
      return { variables: { name }, happened: async () => !!(await one(`SELECT 1 AS x FROM api_token WHERE name = $1`, [name])) };
    },
  },
  {
    name: 'createRunner',
    allowed: ADMINS,
    document: `mutation($name: String!) { createRunner(name: $name) { __typename } }`,
    async prepare(caller) {
      const name = `made-by-${slugOf(caller)}`;
      return { variables: { name }, happened: async () => !!(await one(`SELECT 1 AS x FROM runner WHERE name = $1`, [name])) };
    },
  },
  {
    name: 'createScraper',
    allowed: ADMINS,
    document: `mutation($input: CreateScraperInput!) { createScraper(input: $input) { __typename } }`,
    async prepare(caller) {
      const slug = `made-by-${slugOf(caller)}`;
      return {
        variables: { input: { slug, name: slug, source: { name: slug, url: 'https://shop.example.test' }, config: { format: 'json', urls: ['https://shop.example.test/menu.json'], fields: { sku: 'id', name: 'title' } } } },
        happened: async () => !!(await one(`SELECT 1 AS x FROM scraper WHERE slug = $1`, [slug])),
      };
    },
  },
  {
    name: 'cancelRun',
    allowed: ADMINS,
    document: `mutation($jobId: ID!) { cancelRun(jobId: $jobId) { __typename } }`,
    async prepare() {
      const runId = await insertRun('QUEUED');
      return { variables: { jobId: String(runId) }, happened: async () => (await one(`SELECT status FROM run WHERE id = $1`, [runId])).status === 'CANCELLED' };
    },
  },
  {
    name: 'read heldRuns and healthOverview',
    allowed: READERS,
    document: `{ heldRuns { id publication } healthOverview { total } }`,
    prepare: async () => ({ variables: {}, happened: noEffect }),
  },
  {
    name: 'read scraperTrends with the cards\' trends',
    allowed: READERS,
    document: `query($id: ID!) { scraperTrends(scraperId: $id, days: 90) { timezone scraper { trends { days { day runs } } } days { day successRate } } }`,
    prepare: async () => ({ variables: { id: String(scraperId) }, happened: noEffect }),
  },
  {
    name: 'read sourceTrends',
    allowed: READERS,
    document: `query($id: ID!) { sourceTrends(sourceId: $id) { timezone days { day products drift } } }`,
    prepare: async () => ({ variables: { id: String((await one(`SELECT source_id FROM scraper WHERE id = $1`, [scraperId])).source_id) }, happened: noEffect }),
  },
  {
    name: 'approveRun',
    allowed: ADMINS,
    document: `mutation($runId: ID!) { approveRun(runId: $runId) { __typename } }`,
    async prepare() {
      const { id } = await one(
        `INSERT INTO run (scraper_id, status, triggered_by, started_at, completed_at, publication)
         VALUES ($1, 'WARNING', 'API', now(), now(), 'HELD') RETURNING id`,
        [scraperId],
      );
      return { variables: { runId: String(id) }, happened: async () => (await one(`SELECT publication FROM run WHERE id = $1`, [id])).publication === 'APPROVED' };
    },
  },
  {
    name: 'read alert channels, rules and incidents',
    allowed: READERS,
    document: `{ alertChannels { id } alertRules { id } incidents { id } }`,
    prepare: async () => ({ variables: {}, happened: noEffect }),
  },
  {
    name: 'createAlertChannel',
    allowed: ADMINS,
    document: `mutation($name: String!) { createAlertChannel(input: { name: $name, kind: EMAIL, recipients: ["ops@example.test"] }) { __typename } }`,
    async prepare(caller) {
      const name = `matrix channel ${caller} ${Math.random()}`;
      return { variables: { name }, happened: async () => !!(await one(`SELECT 1 AS x FROM alert_channel WHERE name = $1`, [name])) };
    },
  },
  {
    name: 'testChannel',
    allowed: ADMINS,
    document: `mutation($id: ID!) { testChannel(id: $id) { __typename } }`,
    async prepare(caller) {
      const { id } = await one(`INSERT INTO alert_channel (name, kind, recipients) VALUES ($1, 'EMAIL', '{ops@example.test}') RETURNING id`, [`matrix test ${caller} ${Math.random()}`]);
      return { variables: { id: String(id) }, happened: async () => !!(await one(`SELECT 1 AS x FROM notification WHERE channel_id = $1 AND event = 'TEST'`, [id])) };
    },
  },
  {
    name: 'createAlertRule',
    allowed: ADMINS,
    document: `mutation($name: String!) { createAlertRule(input: { name: $name, kind: RUN_ERROR, channelIds: [] }) { __typename } }`,
    async prepare(caller) {
      const name = `matrix rule ${caller} ${Math.random()}`;
      return { variables: { name }, happened: async () => !!(await one(`SELECT 1 AS x FROM alert_rule WHERE name = $1`, [name])) };
    },
  },
  {
    name: 'acknowledgeIncident',
    allowed: ADMINS,
    document: `mutation($id: ID!) { acknowledgeIncident(id: $id) { __typename } }`,
    async prepare() {
      const rule = await one(`INSERT INTO alert_rule (name, kind, scraper_id) VALUES ('matrix ack', 'RUN_ERROR', $1) RETURNING id`, [scraperId]);
      const subject = `scraper:${scraperId}`;
      const { id } = await one(
        `INSERT INTO incident (rule_id, subject_key, open_key, scraper_id, title, reason, detail)
         VALUES ($1, $2, $3, $4, 'Matrix failed', 'RUN_ERROR', 'a run ended ERROR') RETURNING id`,
        [rule.id, subject, `${rule.id}:${subject}`, scraperId],
      );
      return { variables: { id: String(id) }, happened: async () => (await one(`SELECT status FROM incident WHERE id = $1`, [id])).status === 'ACKNOWLEDGED' };
    },
  },
  {
    name: 'claimRun',
    allowed: ['runner key'],
    document: `mutation { claimRun { __typename } }`,
    async prepare() {
      // The only queued run, so that a claim can only take this one.
      await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE status = 'QUEUED'`);
      const runId = await insertRun('QUEUED');
      return { variables: {}, happened: async () => (await one(`SELECT status FROM run WHERE id = $1`, [runId])).status === 'RUNNING' };
    },
  },
  {
    name: 'appendLogs',
    allowed: ['runner key'],
    document: `mutation($jobId: ID!) { appendLogs(jobId: $jobId, batchId: "b1", logs: [{ level: INFO, message: "hello" }]) { __typename } }`,
    async prepare(caller) {
      const runId = await heldRun(caller);
      return { variables: { jobId: String(runId) }, happened: async () => !!(await one(`SELECT 1 AS x FROM log_line WHERE run_id = $1`, [runId])) };
    },
  },
  {
    name: 'completeRun',
    allowed: ['runner key'],
    document: `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 3, productsProcessed: 3 }) { __typename } }`,
    async prepare(caller) {
      const runId = await heldRun(caller);
      return { variables: { jobId: String(runId) }, happened: async () => (await one(`SELECT status FROM run WHERE id = $1`, [runId])).status === 'SUCCESS' };
    },
  },
  {
    name: 'reportProducts',
    allowed: ['runner key'],
    document: `mutation($jobId: ID!) { reportProducts(jobId: $jobId, batchId: "p1", products: [{ sku: "A1", name: "Apple" }]) { __typename } }`,
    async prepare(caller) {
      const runId = await heldRun(caller);
      return { variables: { jobId: String(runId) }, happened: async () => !!(await one(`SELECT 1 AS x FROM product WHERE run_id = $1`, [runId])) };
    },
  },
  {
    name: 'heartbeat',
    allowed: ['runner key'],
    document: `mutation($jobId: ID!) { heartbeat(jobId: $jobId) { __typename } }`,
    async prepare(caller) {
      const runId = await heldRun(caller);
      return {
        variables: { jobId: String(runId) },
        happened: async () => (await one(`SELECT lease_expires_at > now() + interval '30 seconds' AS extended FROM run WHERE id = $1`, [runId])).extended,
      };
    },
  },
];

describe.each(CALLERS)('a caller with %s', (caller) => {
  it.each(OPERATIONS.map((op) => [op.allowed.includes(caller) ? 'may' : 'may not', op.name, op] as const))(
    '%s %s',
    async (_verb, _name, op) => {
      const { variables, happened } = await op.prepare(caller);
      const response = await clients.get(caller)!.request(op.document, variables);
      if (op.allowed.includes(caller)) {
        expect(response.errors).toBeUndefined();
        const [value] = Object.values(response.data ?? {}) as any[];
        if (op.document.trimStart().startsWith('mutation')) expect(value.__typename).toMatch(/^Mutation\w+Success$/);
        else expect(value).toBeTruthy();
        expect(await happened()).toBe(true);
      } else {
        expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
        // A nullable field (claimRun) comes back as null inside data; the others null data itself.
        expect(Object.values(response.data ?? {}).every((v) => v === null)).toBe(true);
        if (happened !== noEffect) expect(await happened()).toBe(false);
      }
    },
  );
});

describe("a runner and another runner's run", () => {
  const APPEND = `mutation($jobId: ID!) { appendLogs(jobId: $jobId, batchId: "intruder", logs: [{ level: ERROR, message: "not mine" }]) {
    __typename ... on NotFoundError { entity id } } }`;
  const COMPLETE = `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: ERROR, productsFound: 0, productsProcessed: 0 }) {
    __typename ... on NotFoundError { entity id } } }`;
  const HEARTBEAT = `mutation($jobId: ID!) { heartbeat(jobId: $jobId) { __typename ... on NotFoundError { entity id } } }`;

  it('cannot append to, complete or heartbeat it: NotFoundError, and nothing is stored', async () => {
    const runId = await insertRun('RUNNING', otherRunnerId);
    const before = await one(`SELECT status, last_seq, lease_expires_at, error_type FROM run WHERE id = $1`, [runId]);
    const intruder = clients.get('runner key')!;
    const jobId = String(runId);

    expect((await intruder.data(APPEND, { jobId })).appendLogs).toEqual({ __typename: 'NotFoundError', entity: 'Run', id: jobId });
    expect((await intruder.data(COMPLETE, { jobId })).completeRun).toEqual({ __typename: 'NotFoundError', entity: 'Run', id: jobId });
    expect((await intruder.data(HEARTBEAT, { jobId })).heartbeat).toEqual({ __typename: 'NotFoundError', entity: 'Run', id: jobId });

    expect(await one(`SELECT status, last_seq, lease_expires_at, error_type FROM run WHERE id = $1`, [runId])).toEqual(before);
    expect(await one(`SELECT count(*)::int AS n FROM log_line WHERE run_id = $1`, [runId])).toEqual({ n: 0 });
    expect(await one(`SELECT count(*)::int AS n FROM log_batch WHERE run_id = $1`, [runId])).toEqual({ n: 0 });
  });

  it('cannot reach it from its own run either: not through the scraper, its source or the run retried', async () => {
    const mine = await insertRun('RUNNING', runnerIds.get('runner key')!);
    const theirs = await insertRun('RUNNING', otherRunnerId);
    await db.pool.query(`UPDATE run SET retry_of_id = $2 WHERE id = $1`, [mine, theirs]);
    const runner = clients.get('runner key')!;
    // What a runner needs of its run it still gets.
    const own = await runner.data(`query($id: ID!) { run(id: $id) { id status scraper { slug config source { name url } } runner { name currentRun { id } } } }`, { id: String(mine) });
    expect(own.run).toMatchObject({ id: String(mine), status: 'RUNNING', scraper: { slug: 'matrix' }, runner: { currentRun: { id: expect.any(String) } } });
    expect(JSON.stringify(own)).not.toContain(`"${theirs}"`);
    for (const path of [
      'scraper { runs { edges { node { id errorMessage } } } }',
      'scraper { lastRun { id } }',
      'scraper { source { scrapers { slug } } }',
      'retryOf { id }',
    ]) {
      const response = await runner.request(`query($id: ID!) { run(id: $id) { id ${path} } }`, { id: String(mine) });
      expect(response.errors?.map((e) => e.extensions?.code), path).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(response.data ?? null), path).not.toContain(`"${theirs}"`);
    }
  });

  it('cannot read it through run(id) either', async () => {
    const runId = await insertRun('RUNNING', otherRunnerId);
    const { run } = await clients.get('runner key')!.data(`query($id: ID!) { run(id: $id) { id } }`, { id: String(runId) });
    expect(run).toBeNull();
  });
});
