import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { openRawSubscription, type RawSubscription } from '../helpers/rawSubscription.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';

const JOB_LOGS = `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq lines { seq message } } }`;
const RUN_UPDATED = `subscription($scraperId: ID!) { runUpdated(scraperId: $scraperId) { id status } }`;
const REVOKE_RUNNER = `mutation($id: ID!) { revokeRunner(id: $id) { __typename } }`;
const ROTATE_KEY = `mutation($id: ID!) { rotateRunnerKey(id: $id) { __typename ... on MutationRotateRunnerKeySuccess { data { apiKey } } } }`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokeToken(id: $id) { __typename } }`;

const db = useTestDatabase();
let a: TestServer;
let b: TestServer;
let scraperId: number;
let jobId: string;
let appender: Awaited<ReturnType<typeof seedRunner>>;

beforeAll(async () => {
  // Two instances on one database: a revocation made through one closes sockets held by the other.
  [a, b] = await Promise.all([startTestServer(db.url), startTestServer(db.url)]);
  ({ scraperId } = await seedScraper(db.pool));
  appender = await seedRunner(db.pool);
  jobId = await insertRunningRun(db.pool, scraperId, appender.runnerId);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function append(message: string, batchId: string) {
  await a.client({ apiKey: appender.apiKey }).data(
    `mutation($jobId: ID!, $batchId: String!, $message: String!) { appendLogs(jobId: $jobId, batchId: $batchId, logs: [{ level: INFO, message: $message }]) { __typename } }`,
    { jobId, batchId, message },
  );
}

const openConnection = (server: TestServer, params: Record<string, string>, query: string, variables: Record<string, unknown>): Promise<RawSubscription> =>
  openRawSubscription(server.wsUrl, params, query, variables);

describe('revoking a credential closes its open websockets at once', () => {
  it('closes a viewer token\'s live jobLogs subscription with 4403, on another instance too', async () => {
    const { tokenId, token } = await seedToken(db.pool, 'VIEWER');
    const sub = await openConnection(b, { Authorization: `Bearer ${token}` }, JOB_LOGS, { jobId });
    await append('before revocation', 'rv-1');
    await sub.waitFor(() => sub.results.some((r) => r.data?.jobLogs?.lines?.some((l: any) => l.message === 'before revocation')));

    expect((await a.admin.data(REVOKE_TOKEN, { id: String(tokenId) })).revokeToken.__typename).toBe('MutationRevokeTokenSuccess');
    await sub.waitFor(() => sub.closed !== null);
    expect(sub.closed).toEqual({ code: 4403, reason: 'Forbidden: the credentials were revoked' });

    // Nothing more reaches it, and the token cannot open a new connection.
    await append('after revocation', 'rv-2');
    expect(JSON.stringify(sub.results)).not.toContain('after revocation');
    const again = await openConnection(b, { Authorization: `Bearer ${token}` }, JOB_LOGS, { jobId });
    await again.waitFor(() => again.closed !== null);
    expect(again.closed?.code).toBe(4403);
  });

  it('closes a revoked runner\'s connection with 4403', async () => {
    const runner = await seedRunner(db.pool);
    // A runner may connect; the operation itself is refused, and the connection stays open.
    const sub = await openConnection(a, { 'x-api-key': runner.apiKey }, RUN_UPDATED, { scraperId: String(scraperId) });
    await sub.waitFor(() => sub.errors.length > 0 || sub.results.length > 0 || sub.completed);
    expect(sub.closed).toBeNull();

    await b.admin.data(REVOKE_RUNNER, { id: String(runner.runnerId) });
    await sub.waitFor(() => sub.closed !== null);
    expect(sub.closed?.code).toBe(4403);
  });

  it('closes connections opened with a runner\'s old key when the key is rotated, and lets the new key connect', async () => {
    const runner = await seedRunner(db.pool);
    const old = await openConnection(a, { 'x-api-key': runner.apiKey }, RUN_UPDATED, { scraperId: String(scraperId) });
    await old.waitFor(() => old.errors.length > 0 || old.results.length > 0 || old.completed);

    const { rotateRunnerKey } = await a.admin.data(ROTATE_KEY, { id: String(runner.runnerId) });
    await old.waitFor(() => old.closed !== null);
    expect(old.closed?.code).toBe(4403);

    const renewed = await openConnection(b, { 'x-api-key': rotateRunnerKey.data.apiKey }, RUN_UPDATED, { scraperId: String(scraperId) });
    await renewed.waitFor(() => renewed.errors.length > 0 || renewed.results.length > 0 || renewed.completed);
    expect(renewed.closed).toBeNull();
    renewed.close();
  });

  it('leaves the connections of other credentials open', async () => {
    const keep = await seedToken(db.pool, 'VIEWER');
    const revoked = await seedToken(db.pool, 'VIEWER');
    const kept = await openConnection(a, { Authorization: `Bearer ${keep.token}` }, JOB_LOGS, { jobId });
    const closing = await openConnection(a, { Authorization: `Bearer ${revoked.token}` }, JOB_LOGS, { jobId });
    const admin = await openConnection(a, { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, JOB_LOGS, { jobId });
    await Promise.all([kept, closing, admin].map((s) => s.waitFor(() => s.results.length > 0)));

    await a.admin.data(REVOKE_TOKEN, { id: String(revoked.tokenId) });
    await closing.waitFor(() => closing.closed !== null);
    await append('still flowing', 'rv-3');
    await kept.waitFor(() => JSON.stringify(kept.results).includes('still flowing'));
    await admin.waitFor(() => JSON.stringify(admin.results).includes('still flowing'));
    expect(kept.closed).toBeNull();
    expect(admin.closed).toBeNull();
    kept.close();
    admin.close();
  });
});
