/**
 * A runner process is SIGKILLed mid-run: it sends no more heartbeats, its lease runs out, and the
 * scheduler's pass ends the run as ERROR RUNNER_LOST, queueing a new attempt while the scraper's
 * retries last. What the lost runner had stored stays, complete and in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDefinition } from '../../contract/definitionSchema.ts';
import { labDefinition, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { passAt, runsOf, setSchedule } from '../helpers/scheduler.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const LEASE_SECONDS = 5;

const { db, server } = useTestServer({ runLeaseSeconds: LEASE_SECONDS, scheduler: false });
let sites: FixtureSites;
let apiKey: string;
const runners: TestRunner[] = [];

beforeAll(async () => {
  sites = await startFixtureSites();
  apiKey = (await seedRunner(db.pool)).apiKey;
});

afterAll(async () => {
  for (const r of runners) await r.kill();
  await sites?.stop();
});

const TRIGGER = `mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;

/** A scraper whose runs take several seconds: 30 SKUs, each answered after 200 ms, one at a time. */
async function slowScraper(maxRetries: number) {
  const slug = `slow-lab-${maxRetries}`;
  const { scraperId } = await seedScraper(db.pool, { slug, config: parseDefinition(labDefinition(sites, { slug, count: 30, delayMs: 200 })) });
  await setSchedule(db.pool, scraperId, { maxRetries });
  return scraperId;
}

async function startOneRunner() {
  const runner = await startRunner({ apiUrl: server.httpUrl, apiKey, heartbeatMs: 1_000 });
  runners.push(runner);
  return runner;
}

/** Triggers a run, lets a runner get well into it, then SIGKILLs the runner and waits out its lease. */
async function loseRunMidway(scraperId: number) {
  const jobId: string = (await server.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;
  const runner = await startOneRunner();
  // Well into it: SKU lines are stored, and the run is far from its end.
  await waitUntil(async () => {
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM log_line WHERE run_id = $1 AND message LIKE 'SKU %'`, [jobId]);
    return rows[0].n >= 3;
  }, 'the runner to store its first SKU lines');
  expect(runner.jobLines(jobId).some((l) => l.message.includes('complete'))).toBe(false);
  await runner.kill();
  await waitUntil(async () => {
    const { rows } = await db.pool.query(`SELECT lease_expires_at < now() AS expired FROM run WHERE id = $1`, [jobId]);
    return rows[0].expired === true;
  }, 'the lost run’s lease to expire', (LEASE_SECONDS + 5) * 1000);
  // A pass skips a run whose row is locked at that moment (a request of the killed runner still being
  // served, on a busy machine); the next pass takes it, as the scheduler's next tick would.
  await waitUntil(async () => {
    const { rows } = await db.pool.query(`SELECT now() AS now`);
    await passAt(db.pool, rows[0].now);
    const { rows: run } = await db.pool.query(`SELECT status FROM run WHERE id = $1`, [jobId]);
    return run[0].status !== 'RUNNING';
  }, 'a scheduler pass to take the lost run');
  return Number(jobId);
}

async function storedSeqs(runId: number) {
  const { rows } = await db.pool.query<{ seq: number }>(`SELECT seq FROM log_line WHERE run_id = $1 ORDER BY seq`, [runId]);
  return rows.map((r) => r.seq);
}

describe('a runner killed mid-run', () => {
  it('loses its run when the lease expires; the retry policy queues a new attempt that another runner completes', async () => {
    const scraperId = await slowScraper(1);
    const lostId = await loseRunMidway(scraperId);

    const [lost, retry] = await runsOf(db.pool, scraperId);
    expect(lost).toMatchObject({ id: lostId, status: 'ERROR', errorType: 'RUNNER_LOST', retryCount: 0 });
    expect(retry).toMatchObject({ status: 'QUEUED', retryCount: 1, retryOfId: lostId });
    const kept = await storedSeqs(lostId);
    expect(kept.length).toBeGreaterThan(3);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => i + 1));

    const next = await startOneRunner();
    await waitUntil(async () => (await runsOf(db.pool, scraperId))[1]!.status === 'SUCCESS', 'the new attempt to succeed', 30_000);
    expect(await next.stop()).toBe(0);
    expect(await runsOf(db.pool, scraperId)).toHaveLength(2);
    // Nothing reached the lost run after it was declared lost.
    expect(await storedSeqs(lostId)).toEqual(kept);
  });

  it('fails the run for good when the scraper allows no retries', async () => {
    const scraperId = await slowScraper(0);
    const lostId = await loseRunMidway(scraperId);
    expect(await runsOf(db.pool, scraperId)).toMatchObject([{ id: lostId, status: 'ERROR', errorType: 'RUNNER_LOST' }]);
    expect(await runsOf(db.pool, scraperId)).toHaveLength(1);
  });
});
