/**
 * A run's duration is the runner's own measure when it reports when it started and finished (time
 * spent waiting for an unreachable API does not count), never longer than what the server saw, and
 * the server's own times otherwise.
 */
import { describe, expect, it } from 'vitest';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();

const COMPLETE = /* GraphQL */ `
  mutation($jobId: ID!, $result: RunResultInput!) {
    completeRun(jobId: $jobId, result: $result) {
      __typename
      ... on MutationCompleteRunSuccess { data { status durationSeconds } }
      ... on ValidationError { issues { path message } }
    }
  }`;

/** A run its runner claimed `secondsAgo` seconds ago by the server's clock. */
async function runningFor(secondsAgo: number) {
  const { scraperId } = await seedScraper(db.pool);
  const runner = await seedRunner(db.pool);
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, triggered_by, status, runner_id, started_at, lease_expires_at)
     VALUES ($1, 'MANUAL', 'RUNNING', $2, now() - make_interval(secs => $3), now() + interval '1 minute') RETURNING id`,
    [scraperId, runner.runnerId, secondsAgo],
  );
  return { jobId: String(rows[0]!.id), client: server.client({ apiKey: runner.apiKey }) };
}

const result = (extra: Record<string, unknown> = {}) => ({ status: 'SUCCESS', productsFound: 1, productsProcessed: 1, ...extra });
/** Two instants `seconds` apart on a runner clock that is an hour off the server's. */
const runnerClock = (seconds: number) => {
  const startedAt = new Date(Date.now() + 3_600_000);
  return { startedAt: startedAt.toISOString(), finishedAt: new Date(startedAt.getTime() + seconds * 1000).toISOString() };
};

describe("a run's duration", () => {
  it("is the runner's measure when it reports startedAt and finishedAt, whatever its clock says the time is", async () => {
    // Claimed 108 s ago; the runner scraped for 88 s and could not reach the API for the rest.
    const { jobId, client } = await runningFor(108);
    const { completeRun } = await client.data(COMPLETE, { jobId, result: result(runnerClock(88)) });
    expect(completeRun.data).toEqual({ status: 'SUCCESS', durationSeconds: 88 });
  });

  it('is never longer than the server saw', async () => {
    const { jobId, client } = await runningFor(30);
    const { completeRun } = await client.data(COMPLETE, { jobId, result: result(runnerClock(500)) });
    expect(completeRun.data.durationSeconds).toBeGreaterThanOrEqual(30);
    expect(completeRun.data.durationSeconds).toBeLessThan(32);
  });

  it("is the server's, from the claim to the outcome, when the runner reports neither time or only one", async () => {
    for (const extra of [{}, { startedAt: new Date().toISOString() }]) {
      const { jobId, client } = await runningFor(40);
      const { completeRun } = await client.data(COMPLETE, { jobId, result: result(extra) });
      expect(completeRun.data.durationSeconds).toBeGreaterThanOrEqual(40);
      expect(completeRun.data.durationSeconds).toBeLessThan(42);
    }
  });

  it('refuses a finish before the start with a ValidationError, and leaves the run running', async () => {
    const { jobId, client } = await runningFor(10);
    const times = runnerClock(5);
    const { completeRun } = await client.data(COMPLETE, { jobId, result: result({ startedAt: times.finishedAt, finishedAt: times.startedAt }) });
    expect(completeRun).toEqual({ __typename: 'ValidationError', issues: [{ path: 'result.finishedAt', message: 'finishedAt must not be before startedAt' }] });
    expect((await db.pool.query(`SELECT status FROM run WHERE id = $1`, [jobId])).rows[0].status).toBe('RUNNING');
  });
});
