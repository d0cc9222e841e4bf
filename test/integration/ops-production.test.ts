import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { requestIdMixin } from '../../server/http/requestId.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';

/** What an error response must never show: stack frames, SQL, table names, driver names. */
const LEAKS = /\bat .+:\d+:\d+|\.ts\b|SELECT|INSERT|UPDATE|relation|log_line|"runner"|`runner`|table|prisma|postgres|syntax error|stack/i;

const db = useTestDatabase();
let production: RunningServer;
let productionUrl: string;
let switchedOff: TestServer;
let development: TestServer;
const logLines: Array<Record<string, any>> = [];

beforeAll(async () => {
  // The production server logs into memory, so that the test can read its JSON lines.
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  const config = { ...loadConfig({ NODE_ENV: 'production', DEMO: 'false', SCHEDULER: 'false', LOG_RETENTION_DAYS: '0' }), port: 0, host: '127.0.0.1' };
  production = await startServer({ config, databaseUrl: db.url, adminToken: TEST_ADMIN_TOKEN, logger: pino({ level: 'debug', mixin: requestIdMixin }, sink) });
  productionUrl = production.url;
  [switchedOff, development] = await Promise.all([
    // Outside production, the two switches still turn them off.
    startTestServer(db.url, { ...loadConfig({ NODE_ENV: 'development', GRAPHIQL: 'false', INTROSPECTION: 'false' }), port: 0, host: '127.0.0.1', scheduler: false }),
    startTestServer(db.url, { ...loadConfig({ NODE_ENV: 'development' }), port: 0, host: '127.0.0.1', scheduler: false }),
  ]);
});

afterAll(async () => {
  await Promise.all([production?.stop(), switchedOff?.stop(), development?.stop()]);
});

async function post(url: string, query: string, headers: Record<string, string> = {}, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, requestId: response.headers.get('x-request-id'), text: await response.text() };
}

const INTROSPECT_SCHEMA = `{ __schema { queryType { name } types { name } } }`;
const INTROSPECT_TYPE = `{ __type(name: "Run") { name fields { name } } }`;

describe('introspection and GraphiQL switches', () => {
  it('are on by default in development (so that the checks below mean something)', async () => {
    const schema = JSON.parse((await post(development.httpUrl, INTROSPECT_SCHEMA)).text);
    expect(schema.data.__schema.queryType.name).toBe('Query');
    const graphiql = await fetch(development.httpUrl, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toMatch(/graphiql/i);
  });

  it.each([
    ['production defaults', () => productionUrl],
    ['INTROSPECTION=false and GRAPHIQL=false', () => switchedOff.httpUrl],
  ])('refuse __schema and __type and serve no GraphiQL with %s', async (_label, url) => {
    for (const query of [INTROSPECT_SCHEMA, INTROSPECT_TYPE]) {
      const result = JSON.parse((await post(url(), query)).text);
      expect(result.data).toBeUndefined();
      expect(result.errors[0].message).toBe('Introspection is disabled on this server');
    }
    const page = await fetch(url(), { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('gives no field suggestions in production', async () => {
    const result = JSON.parse((await post(productionUrl, `{ runnerz { id } }`)).text);
    expect(result.errors[0].message).not.toMatch(/Did you mean/);
  });
});

describe('masked errors', () => {
  it('never show SQL or a stack for an internal error, and log the cause under the request id', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const jobId = await insertRunningRun(db.pool, scraperId, runner.runnerId);
    const requestIds = ['masked-prisma-1', 'masked-sql-1'];
    // Force internal errors: a table the Prisma path reads, then one the hot SQL path writes, is gone
    // (one at a time: the runner's key is looked up in the first).
    const withTableAway = async <T>(table: string, request: () => Promise<T>): Promise<T> => {
      await db.pool.query(`ALTER TABLE ${table} RENAME TO ${table}_away`);
      try {
        return await request();
      } finally {
        await db.pool.query(`ALTER TABLE ${table}_away RENAME TO ${table}`);
      }
    };
    {
      const viaPrisma = await withTableAway('runner', () => post(productionUrl, `{ runners { id name } }`, { 'x-request-id': requestIds[0]! }));
      const viaSql = await withTableAway('log_line', () =>
        post(
          productionUrl,
          `mutation($jobId: ID!) { appendLogs(jobId: $jobId, batchId: "b1", logs: [{ level: INFO, message: "x" }]) { __typename } }`,
          { 'x-request-id': requestIds[1]!, authorization: '', 'x-api-key': runner.apiKey },
          { jobId },
        ),
      );
      for (const [response, requestId] of [[viaPrisma, requestIds[0]], [viaSql, requestIds[1]]] as const) {
        expect(response.status).toBe(200);
        expect(response.requestId).toBe(requestId);
        const body = JSON.parse(response.text);
        expect(body.errors).toHaveLength(1);
        expect(body.errors[0].message).toBe('Unexpected error.');
        expect(body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
        expect(response.text).not.toMatch(LEAKS);
      }
    }
    // The operator finds the cause: one error line per request, carrying its id.
    for (const [requestId, cause] of [[requestIds[0], /runner/], [requestIds[1], /log_line/]] as const) {
      const errorLines = logLines.filter((l) => l.requestId === requestId && l.msg === 'unexpected error');
      expect(errorLines).toHaveLength(1);
      expect(JSON.stringify(errorLines[0]!.err)).toMatch(cause);
    }
    // No error line of the server goes without the id of the request it belongs to.
    const errors = logLines.filter((l) => l.level >= 50);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.every((l) => requestIds.includes(l.requestId))).toBe(true);
  });
});

describe('request ids', () => {
  it('keep an incoming x-request-id, return it, and put it on every log line of the request', async () => {
    const response = await post(productionUrl, `{ runners { id } }`, { 'x-request-id': 'lb-7f3a.42' });
    expect(response.status).toBe(200);
    expect(response.requestId).toBe('lb-7f3a.42');
    await expect.poll(() => logLines.filter((l) => l.requestId === 'lb-7f3a.42').map((l) => l.msg)).toContain('request completed');
    const access = logLines.find((l) => l.requestId === 'lb-7f3a.42' && l.msg === 'request completed')!;
    expect(access).toMatchObject({ route: 'graphql', status: 200, method: 'POST' });
  });

  it('make one when the request brings none or an unusable one', async () => {
    for (const header of [{} as Record<string, string>, { 'x-request-id': 'has spaces "and" quotes' }, { 'x-request-id': 'x'.repeat(500) }]) {
      const response = await post(productionUrl, `{ __typename }`, header);
      expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('are returned and logged for a refused request too', async () => {
    const response = await fetch(productionUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bad-body-1' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe('bad-body-1');
    await expect.poll(() => logLines.some((l) => l.requestId === 'bad-body-1' && l.msg === 'request refused')).toBe(true);
  });

  it('log the path of a request, never its query string, where a GET carries a document and its variables', async () => {
    const secret = 'whsec_c2VjcmV0LW5ldmVyLWxvZ2dlZA==';
    const query = `mutation { createAlertChannel(input: { name: "x", kind: WEBHOOK, url: "https://hooks.example.test/", secret: "${secret}" }) { __typename } }`;
    const response = await fetch(`${productionUrl}?query=${encodeURIComponent(query)}`, { headers: { 'x-request-id': 'get-secret-1' } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await expect.poll(() => logLines.some((l) => l.requestId === 'get-secret-1' && l.msg === 'request refused')).toBe(true);
    const lines = logLines.filter((l) => l.requestId === 'get-secret-1');
    expect(lines.find((l) => l.msg === 'request refused')).toMatchObject({ path: '/graphql', method: 'GET' });
    expect(JSON.stringify(lines)).not.toContain('c2VjcmV0LW5ldmVyLWxvZ2dlZA');
  });
});
