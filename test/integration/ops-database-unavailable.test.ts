/**
 * PostgreSQL out of reach (a proxy in front of it drops every connection and refuses new ones): a
 * request that needs the database is answered 503, code DATABASE_UNAVAILABLE, with Retry-After, over
 * HTTP and graphql-ws, and the runner's client takes it as something to wait out. Nothing is lost:
 * once the database is back, the same batch is stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TransientApiError } from '../../scrapers/runner/apiClient.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { collect } from '../helpers/graphql.ts';
import { APPEND_LOGS } from '../helpers/logShipper.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.ts';

/** Stack frames, SQL and driver words: never in an answer. */
const LEAKS = /\bat .+:\d+:\d+|\.ts\b|SELECT|INSERT|ECONNRESET|ECONNREFUSED|prisma|postgres|stack/i;

const db = useTestDatabase();
let proxy: TcpProxy;
let server: TestServer;
let runner: Awaited<ReturnType<typeof seedRunner>>;
let jobId: string;
let scraperId: number;
let viewerToken: string;

beforeAll(async () => {
  const target = new URL(db.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  server = await startTestServer(proxy.url(db.url), { production: true, introspection: false, graphiql: false });
  runner = await seedRunner(db.pool);
  ({ scraperId } = await seedScraper(db.pool));
  jobId = await insertRunningRun(db.pool, scraperId, runner.runnerId);
  viewerToken = (await seedToken(db.pool, 'VIEWER')).token;
});

afterAll(async () => {
  proxy?.restore();
  await server?.stop();
  await proxy?.close();
});

async function post(query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) {
  const response = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
}

const asRunner = { 'x-api-key': '' };
const asAdmin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const batch = { jobId: '', batchId: 'during-the-outage', logs: [{ level: 'INFO' as const, message: 'kept by the runner' }] };

describe('while PostgreSQL is unreachable', () => {
  beforeAll(() => {
    asRunner['x-api-key'] = runner.apiKey;
    batch.jobId = jobId;
    proxy.cut();
  });

  it.each([
    ['appendLogs by a runner (its key cannot be looked up)', () => post(APPEND_LOGS, asRunner, batch)],
    ['a query read through Prisma', () => post(`{ runners { id name } }`, asAdmin)],
    ['a query read through SQL', () => post(`{ health(days: 7) { __typename } }`, asAdmin)],
    ['a mutation in a transaction', () => post(`mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, asAdmin, { id: String(scraperId) })],
  ])('answers %s with 503 DATABASE_UNAVAILABLE and Retry-After', async (_label, send) => {
    const { status, retryAfter, text } = await send();
    expect(status).toBe(503);
    expect(retryAfter).toBe('5');
    const body = JSON.parse(text);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ message: 'The database is unavailable; retry in 5 s', extensions: { code: 'DATABASE_UNAVAILABLE' } });
    expect(text).not.toMatch(LEAKS);
  });

  it('says so on /healthz', async () => {
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(503);
  });

  it("is something the runner's client waits out, not a refusal", async () => {
    const api = new ApiClient(server.httpUrl, runner.apiKey);
    const failure = await api.appendLogs(jobId, batch.batchId, batch.logs.map((l) => ({ ...l, timestamp: new Date().toISOString() }))).catch((error) => error);
    expect(failure).toBeInstanceOf(TransientApiError);
    expect(failure.message).toMatch(/HTTP 503/);
  });

  it('closes a graphql-ws connection whose token cannot be looked up with 1013 Try Again Later, which graphql-ws clients retry', async () => {
    const ws = server.client({ token: viewerToken }).ws();
    const sub = collect(ws, `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq } }`, { jobId });
    await sub.waitFor(() => sub.errors.length > 0);
    expect(sub.errors[0]).toMatchObject({ code: 1013, reason: 'Try again later: the database is unavailable' });
    await ws.dispose();
  });

  it('answers a subscription that needs the database with DATABASE_UNAVAILABLE over graphql-ws', async () => {
    const ws = server.admin.ws();
    const sub = collect(ws, `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lastSeq } }`, { jobId });
    await sub.waitFor(() => sub.errors.length > 0);
    // No HTTP status or headers on a websocket.
    expect(sub.errors.flat()).toEqual([{ message: 'The database is unavailable; retry in 5 s', extensions: { code: 'DATABASE_UNAVAILABLE' } }]);
    await ws.dispose();
  });
});

describe('once PostgreSQL is back', () => {
  it('stores the batch sent during the outage once, and answers everything again', async () => {
    proxy.restore();
    const runnerClient = server.client({ apiKey: runner.apiKey });
    const first = (await runnerClient.data(APPEND_LOGS, batch)).appendLogs;
    const again = (await runnerClient.data(APPEND_LOGS, batch)).appendLogs;
    expect(first.data).toEqual({ fromSeq: 1, toSeq: 1, duplicate: false });
    expect(again.data).toEqual({ fromSeq: 1, toSeq: 1, duplicate: true });
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    expect((await server.admin.data(`{ runners { name } }`)).runners).toEqual([{ name: runner.name }]);
  });
});
