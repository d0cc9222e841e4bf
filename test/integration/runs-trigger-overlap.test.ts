/**
 * One run of a scraper at a time: a trigger while a run is queued or running is refused with
 * RunInProgressError naming it (REFUSE, the default), or queues one run to start after the running
 * one (QUEUE). Decided under the scraper's lock, so triggers sent at the same moment make one run.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { expireLeases } from '../../server/scheduler/sql/expireLeases.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();

const TRIGGER = /* GraphQL */ `
  mutation($id: ID!, $ifActive: IfActive) {
    triggerRun(scraperId: $id, ifActive: $ifActive) {
      __typename
      ... on MutationTriggerRunSuccess { data { id status } }
      ... on RunInProgressError { message scraperId activeRun { id status } }
    }
  }`;
const CLAIM = `mutation { claimRun { __typename ... on MutationClaimRunSuccess { data { id } } } }`;
const COMPLETE = `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 1, productsProcessed: 1 }) { __typename } }`;

const trigger = async (scraperId: number, ifActive?: 'REFUSE' | 'QUEUE') =>
  (await server.admin.data(TRIGGER, { id: String(scraperId), ifActive })).triggerRun;
const runsOf = async (scraperId: number) =>
  (await db.pool.query<{ id: number; status: string }>(`SELECT id, status FROM run WHERE scraper_id = $1 ORDER BY id`, [scraperId])).rows.map((r) => ({ id: String(r.id), status: r.status }));

let scraperId: number;
let runnerKey: string;

beforeEach(async () => {
  // Every test starts from an empty queue: a claim can only take this test's runs.
  await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING')`);
  ({ scraperId } = await seedScraper(db.pool));
  ({ apiKey: runnerKey } = await seedRunner(db.pool));
});

const claim = async () => (await server.client({ apiKey: runnerKey }).data(CLAIM)).claimRun?.data?.id ?? null;

describe('triggerRun while a run of the scraper is active', () => {
  it('refuses by default, naming the queued and then the running run', async () => {
    const first = await trigger(scraperId);
    expect(first.__typename).toBe('MutationTriggerRunSuccess');
    const whileQueued = await trigger(scraperId);
    expect(whileQueued).toEqual({
      __typename: 'RunInProgressError',
      message: `Scraper ${scraperId} already has run ${first.data.id} queued`,
      scraperId: String(scraperId),
      activeRun: { id: first.data.id, status: 'QUEUED' },
    });
    expect(await claim()).toBe(first.data.id);
    const whileRunning = await trigger(scraperId, 'REFUSE');
    expect(whileRunning.activeRun).toEqual({ id: first.data.id, status: 'RUNNING' });
    expect(whileRunning.message).toMatch(/already running \(run \d+\); trigger with ifActive: QUEUE/);
    expect(await runsOf(scraperId)).toEqual([{ id: first.data.id, status: 'RUNNING' }]);
  });

  it('with QUEUE queues one run that starts only once the running one has ended', async () => {
    const first = (await trigger(scraperId)).data.id;
    expect(await claim()).toBe(first);
    const next = await trigger(scraperId, 'QUEUE');
    expect(next.data.status).toBe('QUEUED');
    // One waiting run is enough: a second QUEUE names it.
    expect(await trigger(scraperId, 'QUEUE')).toMatchObject({ __typename: 'RunInProgressError', activeRun: { id: next.data.id, status: 'QUEUED' } });
    // While the first runs, nobody may claim the next.
    expect(await claim()).toBeNull();
    await server.client({ apiKey: runnerKey }).data(COMPLETE, { jobId: first });
    expect(await claim()).toBe(next.data.id);
    expect(await runsOf(scraperId)).toEqual([
      { id: first, status: 'SUCCESS' },
      { id: next.data.id, status: 'RUNNING' },
    ]);
  });

  it('makes exactly one run of twenty triggers sent at the same moment', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => trigger(scraperId)));
    const made = answers.filter((a) => a.__typename === 'MutationTriggerRunSuccess');
    expect(made).toHaveLength(1);
    expect(answers.filter((a) => a.__typename === 'RunInProgressError').every((a) => a.activeRun.id === made[0].data.id)).toBe(true);
    expect(await runsOf(scraperId)).toEqual([{ id: made[0].data.id, status: 'QUEUED' }]);

    // And of twenty QUEUE triggers at once while it runs, exactly one waits behind it.
    await claim();
    const queued = await Promise.all(Array.from({ length: 20 }, () => trigger(scraperId, 'QUEUE')));
    expect(queued.filter((a) => a.__typename === 'MutationTriggerRunSuccess')).toHaveLength(1);
    expect((await runsOf(scraperId)).map((r) => r.status)).toEqual(['RUNNING', 'QUEUED']);
  });

  it('does not retry a lost run while another run of the scraper waits to scrape it anyway', async () => {
    const first = (await trigger(scraperId)).data.id;
    await claim();
    const waiting = (await trigger(scraperId, 'QUEUE')).data.id;
    await db.pool.query(`UPDATE run SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [first]);
    expect(await expireLeases(db.pool, new Date(Date.now() + 1000))).toEqual([{ runId: Number(first), retryRunId: null, scraperId }]);
    expect(await runsOf(scraperId)).toEqual([
      { id: first, status: 'ERROR' },
      { id: waiting, status: 'QUEUED' },
    ]);
    expect(await claim()).toBe(waiting);
  });

  it('never starts two runs of one scraper at once, however many are queued and however many runners claim together', async () => {
    const runners = await Promise.all(Array.from({ length: 8 }, () => seedRunner(db.pool)));
    for (let round = 0; round < 10; round++) {
      await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE status IN ('QUEUED', 'RUNNING')`);
      // Several queued runs of one scraper, as a database from before this rule may hold.
      await db.pool.query(`INSERT INTO run (scraper_id, triggered_by) SELECT $1, 'API' FROM generate_series(1, 4)`, [scraperId]);
      const claims = await Promise.all(runners.map((r) => server.client({ apiKey: r.apiKey }).data(CLAIM)));
      expect(claims.filter((c) => c.claimRun?.data).length).toBe(1);
      expect((await runsOf(scraperId)).filter((r) => r.status === 'RUNNING')).toHaveLength(1);
    }
  });
});
