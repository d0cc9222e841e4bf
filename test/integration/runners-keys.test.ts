import { beforeAll, describe, expect, it } from 'vitest';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const CREATE = `mutation($name: String!) { createRunner(name: $name) {
  __typename
  ... on MutationCreateRunnerSuccess { data { apiKey runner { id name lastSeenAt revokedAt currentRun { id } } } }
  ... on RunnerNameTakenError { name }
  ... on ValidationError { issues { path message } }
} }`;
const ROTATE = `mutation($id: ID!) { rotateRunnerKey(id: $id) {
  __typename
  ... on MutationRotateRunnerKeySuccess { data { apiKey runner { id } } }
  ... on RunnerRevokedError { runnerId }
  ... on NotFoundError { entity id }
} }`;
const REVOKE = `mutation($id: ID!) { revokeRunner(id: $id) {
  __typename ... on MutationRevokeRunnerSuccess { data { id revokedAt } } ... on NotFoundError { entity id } } }`;
const CLAIM = `mutation { claimRun { __typename ... on MutationClaimRunSuccess { data { id status } } } }`;
const HEARTBEAT = `mutation($jobId: ID!) { heartbeat(jobId: $jobId) { __typename } }`;

const { db, server } = useTestServer();
let scraperId: number;

beforeAll(async () => {
  ({ scraperId } = await seedScraper(db.pool));
});

const runnerCount = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM runner`)).rows[0].n as number;

async function createRunner(name: string) {
  const { createRunner } = await server.admin.data(CREATE, { name });
  return createRunner.data as { apiKey: string; runner: { id: string } };
}

async function queueRun() {
  await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, { id: String(scraperId) });
}

describe('runners and their keys', () => {
  it('shows a new key once and lets the runner claim with it', async () => {
    const { createRunner } = await server.admin.data(CREATE, { name: 'worker-1.local' });
    expect(createRunner.data).toMatchObject({ runner: { name: 'worker-1.local', lastSeenAt: null, revokedAt: null, currentRun: null } });
    expect(createRunner.data.apiKey).toMatch(/^sdr_[A-Za-z0-9_-]{43}$/);
    const { key_hash } = (await db.pool.query(`SELECT key_hash FROM runner WHERE id = $1`, [createRunner.data.runner.id])).rows[0];
    expect(key_hash).not.toContain(createRunner.data.apiKey);
    const runner = server.client({ apiKey: createRunner.data.apiKey });
    expect((await runner.data(CLAIM)).claimRun).toBeNull();
    const { runners } = await server.admin.data(`{ runners { name lastSeenAt } }`);
    expect(runners.find((r: any) => r.name === 'worker-1.local').lastSeenAt).not.toBeNull();
  });

  it('shows the RUNNING run a runner holds as currentRun, and null once it is done', async () => {
    const { apiKey, runner } = await createRunner('holder');
    const client = server.client({ apiKey });
    await queueRun();
    const { claimRun } = await client.data(CLAIM);
    const CURRENT = `{ runners { id currentRun { id status } } }`;
    const during = await server.admin.data(CURRENT);
    expect(during.runners.find((r: any) => r.id === runner.id).currentRun).toEqual({ id: claimRun.data.id, status: 'RUNNING' });
    await client.data(`mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 1, productsProcessed: 1 }) { __typename } }`, { jobId: claimRun.data.id });
    const after = await server.admin.data(CURRENT);
    expect(after.runners.find((r: any) => r.id === runner.id).currentRun).toBeNull();
  });

  it('refuses the old key at once after a rotation, while the runner keeps its run under the new key', async () => {
    const { apiKey: oldKey, runner } = await createRunner('rotating');
    const old = server.client({ apiKey: oldKey });
    await queueRun();
    const { claimRun } = await old.data(CLAIM);
    const { rotateRunnerKey } = await server.admin.data(ROTATE, { id: runner.id });
    expect(rotateRunnerKey.data.apiKey).not.toBe(oldKey);
    const refused = await old.request(HEARTBEAT, { jobId: claimRun.data.id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const renewed = server.client({ apiKey: rotateRunnerKey.data.apiKey });
    expect((await renewed.data(HEARTBEAT, { jobId: claimRun.data.id })).heartbeat.__typename).toBe('MutationHeartbeatSuccess');
  });

  it('refuses a revoked runner at once, gives it no new key, and keeps the first revocation time', async () => {
    const { apiKey, runner } = await createRunner('retired');
    const client = server.client({ apiKey });
    expect((await client.request(CLAIM)).errors).toBeUndefined();
    const first = await server.admin.data(REVOKE, { id: runner.id });
    expect(first.revokeRunner.data.revokedAt).not.toBeNull();
    expect((await client.request(CLAIM)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const rotated = await server.admin.data(ROTATE, { id: runner.id });
    expect(rotated.rotateRunnerKey).toEqual({ __typename: 'RunnerRevokedError', runnerId: runner.id });
    const again = await server.admin.data(REVOKE, { id: runner.id });
    expect(again.revokeRunner.data.revokedAt).toBe(first.revokeRunner.data.revokedAt);
  });

  it('answers unknown runner ids with NotFoundError', async () => {
    expect((await server.admin.data(ROTATE, { id: '555555' })).rotateRunnerKey).toEqual({ __typename: 'NotFoundError', entity: 'Runner', id: '555555' });
    expect((await server.admin.data(REVOKE, { id: 'abc' })).revokeRunner).toEqual({ __typename: 'NotFoundError', entity: 'Runner', id: 'abc' });
  });

  it('refuses a taken name with RunnerNameTakenError and stores nothing', async () => {
    await createRunner('twin');
    const before = await runnerCount();
    const { createRunner: second } = await server.admin.data(CREATE, { name: 'twin' });
    expect(second).toEqual({ __typename: 'RunnerNameTakenError', name: 'twin' });
    expect(await runnerCount()).toBe(before);
  });

  const badNames: Array<[string, string]> = [
    ['an empty name', ''],
    ['an oversize name', 'r'.repeat(65)],
    ['a huge name', 'r'.repeat(200_000)],
    ['a name with spaces', 'my runner'],
    ['a name starting with a dash', '-runner'],
    ['a name with control characters', 'runner\u0007'],
  ];

  it.each(badNames)('refuses %s with ValidationError and stores nothing', async (_label, name) => {
    const before = await runnerCount();
    const { createRunner: result } = await server.admin.data(CREATE, { name });
    expect(result.__typename).toBe('ValidationError');
    expect(result.issues[0].path).toBe('name');
    expect(await runnerCount()).toBe(before);
  });
});
