/**
 * A run's life through the API: triggering (and refusing a disabled scraper), claiming under
 * concurrency, heartbeats, cancelling, and the filtered run history.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const TRIGGER = `mutation($id: ID!) { triggerRun(scraperId: $id) {
  __typename
  ... on MutationTriggerRunSuccess { data { id status triggeredBy queuedAt startedAt runner { id } scraper { id } } }
  ... on ScraperDisabledError { message scraperId }
  ... on NotFoundError { entity id } } }`;
const CLAIM = `mutation { claimRun { __typename ... on MutationClaimRunSuccess { data { id status startedAt leaseExpiresAt runner { id name } } } } }`;
const HEARTBEAT = `mutation($jobId: ID!) { heartbeat(jobId: $jobId) {
  __typename
  ... on MutationHeartbeatSuccess { data { id status leaseExpiresAt } }
  ... on RunStateError { runId status message } } }`;
const CANCEL = `mutation($jobId: ID!) { cancelRun(jobId: $jobId) {
  __typename
  ... on MutationCancelRunSuccess { data { id status completedAt errorType } }
  ... on RunStateError { runId status }
  ... on NotFoundError { entity id } } }`;
const COMPLETE = `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 3, productsProcessed: 3 }) {
  __typename ... on RunStateError { status } } }`;
const RUNS = `query($first: Int, $after: String, $filter: RunFilter) {
  runs(first: $first, after: $after, filter: $filter) { edges { node { id status triggeredBy } } pageInfo { hasNextPage endCursor } } }`;

const { db, server } = useTestServer();
let scraperId: number;

beforeAll(async () => {
  ({ scraperId } = await seedScraper(db.pool));
});

// Each test starts with no queued run left by another.
beforeEach(async () => {
  await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING')`);
});

const trigger = async (id: number) => (await server.admin.data(TRIGGER, { id: String(id) })).triggerRun;
const runRow = async (id: string | number) => (await db.pool.query(`SELECT * FROM run WHERE id = $1`, [Number(id)])).rows[0];

describe('triggerRun', () => {
  it('returns at once with a QUEUED run triggered MANUAL', async () => {
    const result = await trigger(scraperId);
    expect(result.__typename).toBe('MutationTriggerRunSuccess');
    expect(result.data).toMatchObject({ status: 'QUEUED', triggeredBy: 'MANUAL', startedAt: null, runner: null, scraper: { id: String(scraperId) } });
  });

  it('refuses a disabled scraper with ScraperDisabledError and queues nothing', async () => {
    const disabled = await seedScraper(db.pool, { enabled: false });
    const result = await trigger(disabled.scraperId);
    expect(result).toMatchObject({ __typename: 'ScraperDisabledError', scraperId: String(disabled.scraperId) });
    expect(result.message).toMatch(/disabled/);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM run WHERE scraper_id = $1`, [disabled.scraperId]);
    expect(rows[0].n).toBe(0);
  });

  it('answers an unknown scraper with NotFoundError', async () => {
    expect(await trigger(987_654)).toEqual({ __typename: 'NotFoundError', entity: 'Scraper', id: '987654' });
  });
});

describe('claimRun', () => {
  it('hands out the oldest queued run first and null when none is left', async () => {
    const runner = await seedRunner(db.pool);
    const client = server.client({ apiKey: runner.apiKey });
    // Three scrapers: a queued run of a scraper that has one running waits for it.
    const queued = async (queuedMinutesAgo: number) => insertRun(db.pool, { scraperId: (await seedScraper(db.pool)).scraperId, status: 'QUEUED', queuedMinutesAgo });
    const newer = await queued(1);
    const oldest = await queued(30);
    const middle = await queued(10);
    const claimed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { claimRun } = await client.data(CLAIM);
      expect(claimRun.data).toMatchObject({ status: 'RUNNING', runner: { id: String(runner.runnerId), name: runner.name } });
      expect(Date.parse(claimRun.data.leaseExpiresAt)).toBeGreaterThan(Date.parse(claimRun.data.startedAt));
      claimed.push(claimRun.data.id);
    }
    expect(claimed).toEqual([oldest, middle, newer].map(String));
    expect((await client.data(CLAIM)).claimRun?.data ?? null).toBeNull();
  });

  it('gives each queued run to exactly one of many runners claiming at once', async () => {
    const runs = 12;
    for (let i = 0; i < runs; i++) await insertRun(db.pool, { scraperId: (await seedScraper(db.pool)).scraperId, status: 'QUEUED', queuedMinutesAgo: 60 - i });
    const runners = await Promise.all(Array.from({ length: 6 }, () => seedRunner(db.pool)));
    // 6 runners × 3 claims each = 18 claims for 12 runs, all in flight together.
    const answers = await Promise.all(
      runners.flatMap((r) => Array.from({ length: 3 }, () => server.client({ apiKey: r.apiKey }).data(CLAIM).then((d) => ({ runner: r, run: d.claimRun?.data ?? null })))),
    );
    const claimed = answers.filter((a) => a.run !== null);
    expect(claimed).toHaveLength(runs);
    expect(new Set(claimed.map((a) => a.run.id)).size).toBe(runs);
    expect(answers.filter((a) => a.run === null)).toHaveLength(18 - runs);
    for (const { runner, run } of claimed) {
      const row = await runRow(run.id);
      expect(row).toMatchObject({ status: 'RUNNING', runner_id: runner.runnerId });
    }
  });

  it('skips runs of a disabled scraper', async () => {
    const disabled = await seedScraper(db.pool, { enabled: false });
    await insertRun(db.pool, { scraperId: disabled.scraperId, status: 'QUEUED', queuedMinutesAgo: 100 });
    const runner = await seedRunner(db.pool);
    expect((await server.client({ apiKey: runner.apiKey }).data(CLAIM)).claimRun?.data ?? null).toBeNull();
  });
});

describe('heartbeat and cancelRun', () => {
  it('extends the lease of a running run with each heartbeat', async () => {
    const runner = await seedRunner(db.pool);
    const client = server.client({ apiKey: runner.apiKey });
    await trigger(scraperId);
    const { claimRun } = await client.data(CLAIM);
    await db.pool.query(`UPDATE run SET lease_expires_at = now() - interval '1 minute' WHERE id = $1`, [Number(claimRun.data.id)]);
    const { heartbeat } = await client.data(HEARTBEAT, { jobId: claimRun.data.id });
    expect(heartbeat.data).toMatchObject({ id: claimRun.data.id, status: 'RUNNING' });
    expect(Date.parse(heartbeat.data.leaseExpiresAt)).toBeGreaterThan(Date.now());
  });

  it('cancels a queued run, so that no runner claims it', async () => {
    const queued = await trigger(scraperId);
    const { cancelRun } = await server.admin.data(CANCEL, { jobId: queued.data.id });
    expect(cancelRun.data).toMatchObject({ id: queued.data.id, status: 'CANCELLED', errorType: 'CANCELLED' });
    expect(cancelRun.data.completedAt).not.toBeNull();
    const runner = await seedRunner(db.pool);
    expect((await server.client({ apiKey: runner.apiKey }).data(CLAIM)).claimRun?.data ?? null).toBeNull();
  });

  it('cancels a running run; its runner learns it from the next heartbeat and can no longer complete it', async () => {
    const runner = await seedRunner(db.pool);
    const client = server.client({ apiKey: runner.apiKey });
    await trigger(scraperId);
    const jobId = (await client.data(CLAIM)).claimRun.data.id;
    expect((await server.admin.data(CANCEL, { jobId })).cancelRun.data.status).toBe('CANCELLED');
    const { heartbeat } = await client.data(HEARTBEAT, { jobId });
    expect(heartbeat).toMatchObject({ __typename: 'RunStateError', runId: jobId, status: 'CANCELLED' });
    expect((await client.data(COMPLETE, { jobId })).completeRun).toEqual({ __typename: 'RunStateError', status: 'CANCELLED' });
    expect((await runRow(jobId)).status).toBe('CANCELLED');
  });

  it('answers a retried completeRun as the first, changes nothing, and still refuses it on a lost run', async () => {
    const runner = await seedRunner(db.pool);
    const client = server.client({ apiKey: runner.apiKey });
    await trigger(scraperId);
    const jobId = (await client.data(CLAIM)).claimRun.data.id;
    const first = (await client.data(COMPLETE, { jobId })).completeRun;
    expect(first.__typename).toBe('MutationCompleteRunSuccess');
    const stored = await runRow(jobId);
    // The answer was lost on its way back; the runner sends the same outcome again.
    expect((await client.data(COMPLETE, { jobId })).completeRun).toEqual(first);
    expect(await runRow(jobId)).toEqual(stored);
    // Another runner learns nothing, and a run lost to its lease was not this runner's doing.
    expect((await server.client({ apiKey: (await seedRunner(db.pool)).apiKey }).data(COMPLETE, { jobId })).completeRun.__typename).toBe('NotFoundError');
    await db.pool.query(`UPDATE run SET status = 'ERROR', error_type = 'RUNNER_LOST' WHERE id = $1`, [jobId]);
    expect((await client.data(COMPLETE, { jobId })).completeRun).toEqual({ __typename: 'RunStateError', status: 'ERROR' });
  });

  it('refuses to cancel a finished run with RunStateError and an unknown one with NotFoundError', async () => {
    const done = await insertRun(db.pool, { scraperId, status: 'SUCCESS', completedMinutesAgo: 1 });
    expect((await server.admin.data(CANCEL, { jobId: String(done) })).cancelRun).toEqual({ __typename: 'RunStateError', runId: String(done), status: 'SUCCESS' });
    expect((await runRow(done)).status).toBe('SUCCESS');
    expect((await server.admin.data(CANCEL, { jobId: '987654' })).cancelRun).toEqual({ __typename: 'NotFoundError', entity: 'Run', id: '987654' });
  });
});

describe('runs', () => {
  it('filters by scraper, status, trigger and time, newest first, and pages without repeats', async () => {
    const other = await seedScraper(db.pool);
    const ids = {
      oldSuccess: await insertRun(db.pool, { scraperId: other.scraperId, status: 'SUCCESS', queuedMinutesAgo: 600 }),
      error: await insertRun(db.pool, { scraperId: other.scraperId, status: 'ERROR', queuedMinutesAgo: 30 }),
      success: await insertRun(db.pool, { scraperId: other.scraperId, status: 'SUCCESS', queuedMinutesAgo: 20 }),
      manual: Number((await trigger(other.scraperId)).data.id),
    };
    const list = async (filter: Record<string, unknown>, first = 50) =>
      (await server.admin.data(RUNS, { first, filter })).runs.edges.map((e: any) => Number(e.node.id));
    const scraper = String(other.scraperId);
    expect(await list({ scraperId: scraper })).toEqual([ids.manual, ids.success, ids.error, ids.oldSuccess]);
    expect(await list({ scraperId: scraper, status: 'SUCCESS' })).toEqual([ids.success, ids.oldSuccess]);
    expect(await list({ scraperId: scraper, triggeredBy: 'MANUAL' })).toEqual([ids.manual]);
    expect(await list({ scraperId: scraper, triggeredBy: 'API' })).toEqual([ids.success, ids.error, ids.oldSuccess]);
    const since = new Date(Date.now() - 60 * 60_000).toISOString();
    expect(await list({ scraperId: scraper, since })).toEqual([ids.manual, ids.success, ids.error]);

    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const { runs }: any = await server.admin.data(RUNS, { first: 3, after, filter: { scraperId: scraper } });
      seen.push(...runs.edges.map((e: any) => Number(e.node.id)));
      if (!runs.pageInfo.hasNextPage) break;
      after = runs.pageInfo.endCursor;
    }
    expect(seen).toEqual([ids.manual, ids.success, ids.error, ids.oldSuccess]);
  });

  it('caps a page at 200 runs', async () => {
    const many = await seedScraper(db.pool);
    await db.pool.query(
      `INSERT INTO run (scraper_id, status, triggered_by, completed_at) SELECT $1, 'SUCCESS', 'API', now() FROM generate_series(1, 205)`,
      [many.scraperId],
    );
    const { runs } = await server.admin.data(RUNS, { first: 1000, filter: { scraperId: String(many.scraperId) } });
    expect(runs.edges).toHaveLength(200);
    expect(runs.pageInfo.hasNextPage).toBe(true);
  });
});

describe('run', () => {
  it('shows one run with its log counts and last seq, to a reader and to the runner that holds it; null when unknown', async () => {
    const runner = await seedRunner(db.pool);
    const client = server.client({ apiKey: runner.apiKey });
    await trigger(scraperId);
    const jobId = (await client.data(CLAIM)).claimRun.data.id;
    const logs = ['DEBUG', 'INFO', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'CRITICAL'].map((level, i) => ({ level, message: `l${i}` }));
    await client.data(`mutation($jobId: ID!, $logs: [LogLineInput!]!) { appendLogs(jobId: $jobId, batchId: "counts", logs: $logs) { __typename } }`, { jobId, logs });
    const RUN = `query($id: ID!) { run(id: $id) { id status triggeredBy lastSeq logCounts { debug info warning error critical } scraper { id } runner { id } } }`;
    const expected = {
      id: jobId,
      status: 'RUNNING',
      triggeredBy: 'MANUAL',
      lastSeq: 7,
      logCounts: { debug: 1, info: 2, warning: 1, error: 1, critical: 2 },
      scraper: { id: String(scraperId) },
      runner: { id: String(runner.runnerId) },
    };
    expect((await server.admin.data(RUN, { id: jobId })).run).toEqual(expected);
    expect((await client.data(RUN, { id: jobId })).run).toEqual(expected);
    expect((await server.admin.data(RUN, { id: '987654' })).run).toBeNull();
  });
});

describe('runUpdated', () => {
  it('follows one run through claim and completion, and every run when given no filter', async () => {
    const runner = await seedRunner(db.pool);
    const client = server.client({ apiKey: runner.apiKey });
    const jobId = (await trigger(scraperId)).data.id;
    const ws = server.admin.ws();
    const byJob = collect(ws, `subscription($jobId: ID!) { runUpdated(jobId: $jobId) { id status productsFound } }`, { jobId });
    const all = collect(ws, `subscription { runUpdated { id status } }`);
    // Announce the run as a transition would, until both subscriptions have surely registered.
    const deadline = Date.now() + 10_000;
    while (byJob.events.length === 0 || all.events.length === 0) {
      if (Date.now() > deadline) throw new Error('subscriptions did not register');
      await db.pool.query(`SELECT pg_notify('run_updated', $1)`, [`${jobId}:${scraperId}`]);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await client.data(CLAIM)).claimRun.data.id).toBe(jobId);
    await byJob.waitFor(() => byJob.events.some((e: any) => e.runUpdated.status === 'RUNNING'));
    const { completeRun } = await client.data(COMPLETE, { jobId });
    expect(completeRun.__typename).toBe('MutationCompleteRunSuccess');
    await byJob.waitFor(() => byJob.events.some((e: any) => e.runUpdated.status === 'SUCCESS'));
    expect(byJob.events.at(-1).runUpdated).toEqual({ id: jobId, status: 'SUCCESS', productsFound: 3 });
    expect(byJob.events.every((e: any) => e.runUpdated.id === jobId)).toBe(true);

    const other = await seedScraper(db.pool);
    const otherJob = (await trigger(other.scraperId)).data.id;
    await all.waitFor(() => all.events.some((e: any) => e.runUpdated.id === otherJob));
    expect(all.events.some((e: any) => e.runUpdated.id === jobId && e.runUpdated.status === 'SUCCESS')).toBe(true);
    expect(byJob.events.some((e: any) => e.runUpdated.id === otherJob)).toBe(false);
    expect([...byJob.errors, ...all.errors]).toEqual([]);
    byJob.dispose();
    all.dispose();
    await ws.dispose();
  });
});
