/**
 * Leases and retries: a claimed run whose runner goes silent is taken as lost (ERROR, RUNNER_LOST)
 * and re-queued as a new attempt while retries remain; failed runs are retried with backoff.
 * Runs are claimed and completed through the API like a runner does; time is driven through the pass.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimRunFor } from '../helpers/runs.ts';
import { passAt, runsOf, setSchedule } from '../helpers/scheduler.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();
let apiKey: string;

beforeAll(async () => {
  ({ apiKey } = await seedRunner(db.pool));
});

// Each test claims "the oldest queued run": nothing a test leaves queued may reach the next one.
afterEach(async () => {
  await db.pool.query(`UPDATE run SET status = 'CANCELLED', completed_at = now() WHERE status IN ('QUEUED', 'RUNNING')`);
});

const CLAIM = /* GraphQL */ `mutation { claimRun { ... on MutationClaimRunSuccess { data { id } } } }`;
const HEARTBEAT = /* GraphQL */ `
  mutation($id: ID!) { heartbeat(jobId: $id) { __typename ... on RunStateError { status } ... on MutationHeartbeatSuccess { data { leaseExpiresAt } } } }`;
const COMPLETE = /* GraphQL */ `
  mutation($id: ID!, $result: RunResultInput!) { completeRun(jobId: $id, result: $result) { __typename } }`;

const runner = () => server.client({ apiKey });

async function leaseOf(runId: number | string): Promise<Date> {
  const { rows } = await db.pool.query(`SELECT lease_expires_at AS lease FROM run WHERE id = $1`, [runId]);
  return rows[0].lease;
}

async function completedAt(runId: number | string): Promise<Date> {
  const { rows } = await db.pool.query(`SELECT completed_at AS at FROM run WHERE id = $1`, [runId]);
  return rows[0].at;
}

const plus = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

async function claimQueued(expectedRunId: number): Promise<void> {
  const claimed = await runner().data(CLAIM);
  expect(claimed.claimRun.data.id).toBe(String(expectedRunId));
}

async function fail(runId: number | string): Promise<void> {
  const result = { status: 'ERROR', productsFound: 0, productsProcessed: 0, errorType: 'HTTP_500', errorMessage: 'shop answered 500' };
  const done = await runner().data(COMPLETE, { id: String(runId), result });
  expect(done.completeRun.__typename).toBe('MutationCompleteRunSuccess');
}

describe('lease expiry', () => {
  it('marks a run whose runner went silent past its lease ERROR RUNNER_LOST and queues a new attempt', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runId = Number(await claimRunFor(server, scraperId, apiKey));
    const lease = await leaseOf(runId);

    expect((await passAt(db.pool, plus(lease, -1))).expired).toEqual([]);
    const { expired } = await passAt(db.pool, plus(lease, 1));

    const runs = await runsOf(db.pool, scraperId);
    expect(runs).toMatchObject([
      { id: runId, status: 'ERROR', errorType: 'RUNNER_LOST', retryCount: 0 },
      { status: 'QUEUED', triggeredBy: 'MANUAL', retryCount: 1, retryOfId: runId, errorType: null },
    ]);
    expect(expired).toEqual([{ runId, retryRunId: runs[1]!.id, scraperId }]);
    const attempt = await server.admin.data(`query($id: ID!) { run(id: $id) { retryCount retryOf { id errorType } } }`, { id: String(runs[1]!.id) });
    expect(attempt.run).toEqual({ retryCount: 1, retryOf: { id: String(runId), errorType: 'RUNNER_LOST' } });
    // The runner that comes back learns that its run is over.
    const late = await runner().data(HEARTBEAT, { id: String(runId) });
    expect(late.heartbeat).toEqual({ __typename: 'RunStateError', status: 'ERROR' });
  });

  it('a heartbeat moves the lease, and the pass goes by the moved lease', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runId = Number(await claimRunFor(server, scraperId, apiKey));
    const first = await leaseOf(runId);
    const beat = await runner().data(HEARTBEAT, { id: String(runId) });
    expect(beat.heartbeat.__typename).toBe('MutationHeartbeatSuccess');
    const moved = await leaseOf(runId);
    expect(moved.getTime()).toBeGreaterThanOrEqual(first.getTime());

    await passAt(db.pool, plus(moved, -1));
    expect((await runsOf(db.pool, scraperId))[0]!.status).toBe('RUNNING');
    await passAt(db.pool, plus(moved, 1));
    expect((await runsOf(db.pool, scraperId))[0]!.errorType).toBe('RUNNER_LOST');
  });

  it('stops re-queueing once retryCount reaches the scraper maximum', async () => {
    const { scraperId } = await seedScraper(db.pool);
    await setSchedule(db.pool, scraperId, { maxRetries: 1 });
    const firstId = Number(await claimRunFor(server, scraperId, apiKey));
    await passAt(db.pool, plus(await leaseOf(firstId), 1));
    const retry = (await runsOf(db.pool, scraperId))[1]!;
    await claimQueued(retry.id);

    // Two instances notice the second loss at once: still no attempt beyond the maximum.
    const moment = plus(await leaseOf(retry.id), 1);
    await Promise.all([passAt(db.pool, moment), passAt(db.pool, moment)]);

    expect(await runsOf(db.pool, scraperId)).toMatchObject([
      { id: firstId, status: 'ERROR', errorType: 'RUNNER_LOST', retryCount: 0 },
      { id: retry.id, status: 'ERROR', errorType: 'RUNNER_LOST', retryCount: 1, retryOfId: firstId },
    ]);
  });
});

describe('retries of failed runs', () => {
  it('retries a failed run after backoff * 2^retryCount, up to maxRetries', async () => {
    const { scraperId } = await seedScraper(db.pool);
    await setSchedule(db.pool, scraperId, { maxRetries: 2 });
    const firstId = Number(await claimRunFor(server, scraperId, apiKey));
    await fail(firstId);

    // Backoff 30 s for the first retry.
    const failedAt = await completedAt(firstId);
    expect((await passAt(db.pool, plus(failedAt, 29))).retried).toEqual([]);
    const { retried } = await passAt(db.pool, plus(failedAt, 31));
    const second = (await runsOf(db.pool, scraperId))[1]!;
    expect(retried).toEqual([{ runId: second.id, retryOfId: firstId, scraperId }]);
    expect(second).toMatchObject({ status: 'QUEUED', retryCount: 1, retryOfId: firstId });

    // 60 s for the second.
    await claimQueued(second.id);
    await fail(second.id);
    const secondFailedAt = await completedAt(second.id);
    expect((await passAt(db.pool, plus(secondFailedAt, 59))).retried).toEqual([]);
    await passAt(db.pool, plus(secondFailedAt, 61));
    const third = (await runsOf(db.pool, scraperId))[2]!;
    expect(third).toMatchObject({ status: 'QUEUED', retryCount: 2, retryOfId: second.id });

    // The third failure used the last retry.
    await claimQueued(third.id);
    await fail(third.id);
    await passAt(db.pool, plus(await completedAt(third.id), 3600));
    expect(await runsOf(db.pool, scraperId)).toHaveLength(3);
  });

  it('does not retry a failure that a newer run superseded', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const failedId = Number(await claimRunFor(server, scraperId, apiKey));
    await fail(failedId);
    const newerId = Number(await claimRunFor(server, scraperId, apiKey));
    const done = await runner().data(COMPLETE, { id: String(newerId), result: { status: 'SUCCESS', productsFound: 1, productsProcessed: 1 } });
    expect(done.completeRun.__typename).toBe('MutationCompleteRunSuccess');

    await passAt(db.pool, plus(await completedAt(newerId), 3600));

    expect((await runsOf(db.pool, scraperId)).map((r) => r.status)).toEqual(['ERROR', 'SUCCESS']);
  });
});
