/**
 * Requests shaped to hurt, each answered clearly and before the work: bodies too large for their
 * caller, JSON that would become millions of objects, a Host that is no host, query strings and
 * forms that do not decode, strings PostgreSQL cannot hold, cursors made by hand, definitions that
 * contain themselves, subscriptions over HTTP, a storm of subscriptions on one connection,
 * messages too large for a websocket, and headers sent a byte at a time.
 */
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect } from '../helpers/graphql.ts';
import { APPEND_LOGS } from '../helpers/logShipper.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer({ production: true, introspection: false, graphiql: false, rateLimitMutationsPerMinute: 0, rateLimitIpMutationsPerMinute: 0, headersTimeoutSeconds: 2 });
/** Stack frames, source paths, SQL and driver words: never in an answer. */
const LEAKS = /\bat \S+ \(|\.ts:\d+|node_modules|SELECT|INSERT|prisma|postgres|TypeError|RangeError/i;

let runner: Awaited<ReturnType<typeof seedRunner>>;
let viewerToken: string;
let jobId: string;

beforeAll(async () => {
  runner = await seedRunner(db.pool);
  viewerToken = (await seedToken(db.pool, 'VIEWER')).token;
  jobId = await insertRunningRun(db.pool, (await seedScraper(db.pool)).scraperId, runner.runnerId);
});

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  expect(text).not.toMatch(LEAKS);
  return { status: response.status, text, body: JSON.parse(text) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

const asRunner = () => ({ 'x-api-key': runner.apiKey });
const asViewer = () => ({ authorization: `Bearer ${viewerToken}` });
const padded = (bytes: number) => JSON.stringify({ query: '{ viewer { role } }', variables: { pad: 'p'.repeat(bytes) } });

describe('the size of a body, by caller, before it is read', () => {
  it('takes 64 KB without credentials, 1 MB from a person, 72 MB from a runner', async () => {
    expect((await post(padded(60 * 1024))).status).toBe(200);
    const anonymous = await post(padded(100 * 1024));
    expect(anonymous.status).toBe(413);
    expect(anonymous.body.errors![0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE' }, message: expect.stringMatching(/65536 bytes, the most a request without credentials/) });
    // Credentials that are not valid are no credentials.
    expect((await post(padded(100 * 1024), { authorization: 'Bearer sdt_forged' })).status).toBe(413);
    expect((await post(padded(900 * 1024), asViewer())).status).toBe(200);
    expect((await post(padded(2 * 1024 * 1024), asViewer())).body.errors![0]!.message).toMatch(/1048576 bytes, the most a request from a viewer/);
    expect((await post(padded(2 * 1024 * 1024), asRunner())).status).toBe(200);
  });

  it('stores the largest batch a runner may send: 1000 lines of 64 KiB', async () => {
    const logs = Array.from({ length: 1000 }, (_, i) => ({ level: 'INFO', message: `${String(i).padStart(4, '0')}${'x'.repeat(64 * 1024 - 4)}` }));
    const { status, body } = await post(JSON.stringify({ query: APPEND_LOGS, variables: { jobId, batchId: 'largest', logs } }), asRunner());
    expect(status).toBe(200);
    expect(body.data.appendLogs.data).toMatchObject({ toSeq: 1000, duplicate: false });
  });
});

describe('the shape of a JSON body, before it is parsed', () => {
  it.each([
    ['60 KB of empty objects, without credentials', () => post(`{"query":"{ viewer { role } }","variables":{"x":[${'{},'.repeat(20_000)}{}]}}`), /more than 20000 objects and arrays/],
    ['10 MB of empty objects, from a runner', () => post(`{"query":"{ viewer { role } }","variables":{"x":[${'{},'.repeat(3_300_000)}{}]}}`, asRunner()), /more than 20000 objects and arrays/],
    ['10 MB of numbers, from a runner', () => post(`{"query":"{ viewer { role } }","variables":{"x":[${'1,'.repeat(5_000_000)}1]}}`, asRunner()), /more than 200000 values/],
    ['100 levels of arrays', () => post(`{"query":"{ viewer { role } }","variables":{"x":${'['.repeat(100)}${']'.repeat(100)}}}`), /nested deeper than 64/],
    ['invalid JSON', () => post('{"query": "{ viewer { role } }"'), /not valid JSON/],
  ])('refuses %s with 400', async (_label, send, message) => {
    const { status, body } = await send();
    expect(status).toBe(400);
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(message) });
  });

  it('counts nothing inside strings: a message full of braces and commas is a message', async () => {
    const logs = [{ level: 'INFO', message: '{[,'.repeat(20_000) }];
    const { status, body } = await post(JSON.stringify({ query: APPEND_LOGS, variables: { jobId, batchId: 'braces', logs } }), asRunner());
    expect(status).toBe(200);
    expect(body.data.appendLogs.__typename).toBe('MutationAppendLogsSuccess');
  });
});

describe('requests that do not decode', () => {
  /** Raw HTTP, so that a Host header can be anything. */
  const raw = (head: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('close', () => resolve(answer));
      socket.on('error', () => undefined);
      socket.end(head);
    });

  it.each(['a b', '[::1', 'host:port', '%'])('answers a Host of %j with 400, no stack', async (host) => {
    const answer = await raw(`POST /graphql HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\ncontent-length: 27\r\nconnection: close\r\n\r\n{"query":"{ __typename }"}`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toMatch(LEAKS);
  });

  it.each([
    ['variables that are not JSON', `?query=${encodeURIComponent('{ viewer { role } }')}&variables=%7B`],
    ['extensions that are not JSON', `?query=${encodeURIComponent('{ viewer { role } }')}&extensions=x`],
  ])('answers a GET with %s with 400', async (_label, search) => {
    const response = await fetch(`${server.httpUrl}${search}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toMatch(LEAKS);
  });

  it.each(['query=%7Bviewer%7Brole%7D%7D&variables=%7B', 'query=%7Bviewer%7Brole%7D%7D&extensions=x'])('answers a form body %j with a 400, no stack', async (form) => {
    const response = await fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toMatch(LEAKS);
  });

  it('answers a form body whose query is not GraphQL as any document that is not: a syntax error, no stack', async () => {
    const response = await fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%' });
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    expect(JSON.parse(text).errors[0].message).toMatch(/Syntax Error/);
    expect(text).not.toMatch(LEAKS);
  });

  it('answers a client that has not finished its headers by HEADERS_TIMEOUT_SECONDS with 408 and closes its socket', async () => {
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
      socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n');
      // A header line every half second keeps the socket busy but never ends the head.
      const drip = setInterval(() => socket.writable && socket.write(`x-drip: ${Date.now()}\r\n`), 500);
      socket.on('close', () => clearInterval(drip));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/REQUEST_TIMEOUT/);
    // 2 s, checked every 2 s; far below Node's own 60 s (checked every 30 s).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('answers CONNECT with 405, and serves /healthz with a query string as the health check', async () => {
    expect(await raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 405 /);
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz?probe=1`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
  });
});

describe('strings PostgreSQL cannot hold', () => {
  it('stores a NUL or half a surrogate pair in what a runner reports as U+FFFD, and the run completes', async () => {
    const done = await insertRunningRun(db.pool, (await seedScraper(db.pool)).scraperId, runner.runnerId);
    const { status, body } = await post(
      JSON.stringify({
        query: `mutation($jobId: ID!, $message: String!) { completeRun(jobId: $jobId, result: { status: ERROR, productsFound: 0, productsProcessed: 0, errorMessage: $message, errorType: "BROKEN\\u0000TYPE" }) { __typename ... on MutationCompleteRunSuccess { data { status errorMessage errorType } } } }`,
        variables: { jobId: done, message: 'failed at \u0000 and \uD800' },
      }),
      asRunner(),
    );
    expect(status).toBe(200);
    expect(body.data.completeRun.data).toEqual({ status: 'ERROR', errorMessage: 'failed at \uFFFD and \uFFFD', errorType: 'BROKEN\uFFFDTYPE' });
  });

  it('refuses one in a name or a definition with a ValidationError that says so', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const token = await post(JSON.stringify({ query: `mutation { createToken(name: "a\\u0000b", role: VIEWER) { __typename } }` }), admin);
    expect(token.body.data.createToken.__typename).toBe('ValidationError');
    for (const config of [{ format: 'html', urls: ['https://example.com/\u0000'] }, 'format: html\nurls: ["https://example.com/\\0"]\n', { format: 'html', 'k\uD800': 1 }]) {
      const { body } = await post(
        JSON.stringify({ query: `mutation($config: JSON!) { createScraper(input: { slug: "nul", name: "Nul", sourceId: "1", config: $config }) { __typename ... on ValidationError { issues { path message } } } }`, variables: { config } }),
        admin,
      );
      expect(body.data.createScraper.issues, JSON.stringify(config)).toContainEqual({ path: 'input.config', message: expect.stringMatching(/NUL character/) });
    }
  });

  it('answers one anywhere else with BAD_USER_INPUT, over HTTP and graphql-ws', async () => {
    for (const request of [
      { query: '{ scraper(slug: "x\\u0000y") { id } }' },
      { query: 'query($slug: String!) { scraper(slug: $slug) { id } }', variables: { slug: 'x\u0000y' } },
    ]) {
      const { status, body } = await post(JSON.stringify(request), asViewer());
      expect(status).toBe(200);
      expect(body.errors![0]).toMatchObject({ message: expect.stringMatching(/NUL character/), extensions: { code: 'BAD_USER_INPUT' } });
    }
    const ws = server.admin.ws();
    const overWebsocket = collect(ws, `query($slug: String!) { scraper(slug: $slug) { id } }`, { slug: 'x\u0000y' });
    await overWebsocket.waitFor(() => overWebsocket.errors.length > 0);
    expect(overWebsocket.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await ws.dispose();
  });
});

describe('cursors made by hand and definitions that contain themselves', () => {
  it.each([
    ['a jobLogs cursor past the last seq there can be', () => `query { jobLogs(jobId: "${jobId}", after: "${Buffer.from('LogLine:2147483648').toString('base64')}") { edges { node { seq } } } }`],
    ['a runs cursor of a number too large', () => `query { runs(after: "${Buffer.from('GPC:N:99999999999').toString('base64')}") { edges { node { id } } } }`],
    ['a runs cursor of a string', () => `query { runs(after: "${Buffer.from('GPC:S:abc').toString('base64')}") { edges { node { id } } } }`],
  ])('answers %s with BAD_USER_INPUT', async (_label, query) => {
    const { body } = await post(JSON.stringify({ query: query() }), asViewer());
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['an alias to its own parent', 'format: html\nurls: &a [*a]\n', /contains itself/],
    ['nesting 200 deep', `format: html\nitems: ${'['.repeat(200)}${']'.repeat(200)}\n`, /nested/],
  ])('refuses a YAML definition with %s as a ValidationError', async (_label, config, message) => {
    const { body } = await post(
      JSON.stringify({ query: `mutation($config: JSON!) { createScraper(input: { slug: "loop", name: "Loop", sourceId: "1", config: $config }) { __typename ... on ValidationError { issues { path message } } } }`, variables: { config } }),
      { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    );
    expect(body.data.createScraper.__typename).toBe('ValidationError');
    expect(body.data.createScraper.issues).toContainEqual({ path: 'input.config', message: expect.stringMatching(message) });
  });
});

describe('subscriptions', () => {
  it('are not served over HTTP: server-sent events get a 400 that says to use graphql-ws', async () => {
    const response = await fetch(`${server.httpUrl}?query=${encodeURIComponent(`subscription { jobLogs(jobId: "${jobId}") { lastSeq } }`)}`, {
      headers: { accept: 'text/event-stream', ...asViewer() },
    });
    const text = await response.text();
    expect(text).toMatch(/SUBSCRIPTION_OVER_HTTP/);
    expect(text).toMatch(/graphql-ws/);
  });

  it('of a run that does not exist end with NOT_FOUND', async () => {
    const ws = server.admin.ws();
    const sub = collect(ws, `subscription { jobLogs(jobId: "987654") { lastSeq } }`);
    await sub.waitFor(() => sub.errors.length > 0);
    expect(JSON.stringify(sub.errors)).toMatch(/NOT_FOUND/);
    await ws.dispose();
  });

  it('are at most 500 on one connection: the next is refused, the others go on', async () => {
    const ws = server.admin.ws();
    const query = `subscription { runUpdated { id } }`;
    const open = Array.from({ length: 500 }, () => collect(ws, query));
    const extra = collect(ws, query);
    await extra.waitFor(() => extra.errors.length > 0, 20_000);
    expect(JSON.stringify(extra.errors)).toMatch(/TOO_MANY_SUBSCRIPTIONS/);
    expect(open.flatMap((s) => s.errors).slice(0, 2)).toEqual([]);
    for (const s of open) s.dispose();
    await ws.dispose();
  });

  it('close a connection whose message is over 1 MB with 1009, before reading it', async () => {
    const code = await new Promise<number>((resolve) => {
      const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { x: '{}'.repeat(1024 * 1024) } })));
      socket.on('close', (closeCode) => resolve(closeCode));
      socket.on('error', () => undefined);
    });
    expect(code).toBe(1009);
  });
});
