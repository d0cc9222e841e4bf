/**
 * Over HTTP a claim's wait is held by the exchange, not inside its GraphQL execution (see
 * http/heldClaims.ts): what the runner gets must not tell the difference. A wait that runs out is
 * answered as a claim that finds nothing; a woken claim runs again under the runner's credentials
 * as they are then; an operation with more than the claim waits inside its execution.
 */
import { describe, expect, it } from 'vitest';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const { db, server } = useTestServer();

const CLAIM = `mutation Claim($waitSeconds: Int) { claimRun(waitSeconds: $waitSeconds) { __typename ... on MutationClaimRunSuccess { data { id status } } } }`;
const TRIGGER = `mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;

async function post(apiKey: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const headers = Object.fromEntries([...response.headers].filter(([name]) => !['date', 'x-request-id', 'content-length'].includes(name)));
  return { status: response.status, headers, body: await response.json() };
}

const trigger = async (scraperId: number) =>
  (
    await (
      await fetch(server.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        body: JSON.stringify({ query: TRIGGER, variables: { id: String(scraperId) } }),
      })
    ).json()
  ).data.triggerRun.data.id as string;

const waitingRunners = async (runnerId: number) =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM runner WHERE id = $1 AND waiting_until > now()`, [runnerId])).rows[0].n as number;

describe('a claim whose wait is held by the HTTP exchange', () => {
  it('is answered, when its wait runs out, exactly as a claim that finds nothing', async () => {
    const runner = await seedRunner(db.pool);
    const atOnce = await post(runner.apiKey, CLAIM, { waitSeconds: 0 });
    const started = Date.now();
    const afterWaiting = await post(runner.apiKey, CLAIM, { waitSeconds: 1 });
    // A wait ends at a random point of its last quarter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(atOnce.body).toEqual({ data: { claimRun: null } });
    expect(afterWaiting).toEqual(atOnce);
  });

  it('runs again when woken, and hands over the run with the fields asked for', async () => {
    const runner = await seedRunner(db.pool);
    const { scraperId } = await seedScraper(db.pool);
    const claim = post(runner.apiKey, CLAIM, { waitSeconds: 30 });
    await waitUntil(async () => (await waitingRunners(runner.runnerId)) === 1, 'the runner to wait');
    const started = Date.now();
    const runId = await trigger(scraperId);
    const answer = await claim;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { claimRun: { __typename: 'MutationClaimRunSuccess', data: { id: runId, status: 'RUNNING' } } } });
  });

  it('waits inside its execution when the operation asks for more than the claim, and still wakes', async () => {
    const runner = await seedRunner(db.pool);
    const { scraperId } = await seedScraper(db.pool);
    const claim = post(runner.apiKey, `mutation($w: Int) { __typename claimRun(waitSeconds: $w) { ... on MutationClaimRunSuccess { data { id } } } }`, { w: 30 });
    await waitUntil(async () => (await waitingRunners(runner.runnerId)) === 1, 'the runner to wait');
    const runId = await trigger(scraperId);
    expect((await claim).body).toEqual({ data: { __typename: 'Mutation', claimRun: { data: { id: runId } } } });
  });

  it('gives no run to a runner revoked while it waited, and hands the run to the next runner at once', async () => {
    const revoked = await seedRunner(db.pool);
    const next = await seedRunner(db.pool);
    const { scraperId } = await seedScraper(db.pool);
    const claim = post(revoked.apiKey, CLAIM, { waitSeconds: 30 });
    await waitUntil(async () => (await waitingRunners(revoked.runnerId)) === 1, 'the first runner to wait');
    const nextClaim = post(next.apiKey, CLAIM, { waitSeconds: 30 });
    await waitUntil(async () => (await waitingRunners(next.runnerId)) === 1, 'the next runner to wait');
    await server.admin.data(`mutation($id: ID!) { revokeRunner(id: $id) { __typename } }`, { id: String(revoked.runnerId) });
    const started = Date.now();
    const runId = await trigger(scraperId);
    // The revoked runner waited longest, so it is woken first: its key is refused as its claim runs again.
    expect((await claim).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await nextClaim).body).toEqual({ data: { claimRun: { __typename: 'MutationClaimRunSuccess', data: { id: runId, status: 'RUNNING' } } } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives no run to a runner revoked while it waited inside its execution (an operation too large to hold)', async () => {
    const runner = await seedRunner(db.pool);
    const { scraperId } = await seedScraper(db.pool);
    // Over 64 KB: admission looked the key up, and the operation is too large for the exchange to keep.
    const claim = post(runner.apiKey, CLAIM, { waitSeconds: 3, padding: 'x'.repeat(70_000) });
    await waitUntil(async () => (await waitingRunners(runner.runnerId)) === 1, 'the runner to wait');
    await server.admin.data(`mutation($id: ID!) { revokeRunner(id: $id) { __typename } }`, { id: String(runner.runnerId) });
    const runId = await trigger(scraperId);
    expect((await claim).body).toEqual({ data: { claimRun: null } });
    const { rows } = await db.pool.query(`SELECT status FROM run WHERE id = $1`, [Number(runId)]);
    expect(rows[0].status).toBe('QUEUED');
  });
});
