import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { seedRunner, seedToken } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const CLAIM = `mutation { claimRun { __typename } }`;
const PER_KEY = 5;
const PER_IP = 8;
const CONNECTIONS = 3;

// Behind a (pretend) load balancer: each test speaks from its own X-Forwarded-For address.
const { db, server } = useTestServer({
  rateLimitMutationsPerMinute: PER_KEY,
  rateLimitIpMutationsPerMinute: PER_IP,
  rateLimitConnectionsPerMinute: CONNECTIONS,
  trustProxy: true,
});

async function post(query: string, ip: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}

function expectRateLimited(result: Awaited<ReturnType<typeof post>>) {
  expect(result.status).toBe(429);
  const error = result.body.errors[0];
  expect(error.extensions.code).toBe('RATE_LIMITED');
  expect(Number.isInteger(error.extensions.retryAfter)).toBe(true);
  expect(error.extensions.retryAfter).toBeGreaterThanOrEqual(1);
  expect(error.extensions.retryAfter).toBeLessThanOrEqual(60);
  expect(result.retryAfter).toBe(String(error.extensions.retryAfter));
  expect(error.message).toMatch(/^Too many mutations; retry after \d+ s$/);
  expect(result.body.data ?? null).toBeNull();
}

/** Opens a graphql-ws connection and resolves with how it ended up: acknowledged, or closed with a code. */
function connect(params: Record<string, string>, ip: string): Promise<{ ack: boolean; code?: number; reason?: string; socket: WebSocket }> {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers: { 'x-forwarded-for': ip } });
  return new Promise((resolve) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
    socket.on('message', (raw) => {
      if (JSON.parse(String(raw)).type === 'connection_ack') resolve({ ack: true, socket });
    });
    socket.on('close', (code, reason) => resolve({ ack: false, code, reason: String(reason), socket }));
    socket.on('error', () => undefined);
  });
}

describe('rate limits on mutations', () => {
  it('refuses the mutation past an API key\'s limit with RATE_LIMITED, retryAfter and HTTP 429 Retry-After', async () => {
    const runner = await seedRunner(db.pool);
    // Spread over addresses, so that only the key's limit is in play.
    for (let i = 0; i < PER_KEY; i++) {
      const ok = await post(CLAIM, `10.1.0.${i}`, { 'x-api-key': runner.apiKey });
      expect(ok.status).toBe(200);
      expect(ok.body.data.claimRun).toBeNull();
    }
    expectRateLimited(await post(CLAIM, '10.1.1.1', { 'x-api-key': runner.apiKey }));
    // Another key is counted on its own.
    const other = await seedRunner(db.pool);
    expect((await post(CLAIM, '10.1.1.2', { 'x-api-key': other.apiKey })).status).toBe(200);
    // Operators see refusals in /metrics.
    const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(metrics).toMatch(/scrapedeck_graphql_errors_total\{code="RATE_LIMITED"[^}]*\} [1-9]/);
  });

  it('counts a bearer token\'s mutations under the token', async () => {
    const { token } = await seedToken(db.pool, 'ADMIN');
    const create = (i: number) => `mutation { createRunner(name: "limited-${i}") { __typename } }`;
    for (let i = 0; i < PER_KEY; i++) expect((await post(create(i), `10.2.0.${i}`, { authorization: `Bearer ${token}` })).status).toBe(200);
    expectRateLimited(await post(create(99), '10.2.1.1', { authorization: `Bearer ${token}` }));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM runner WHERE name = 'limited-99'`)).rows[0].n).toBe(0);
  });

  it('refuses mutations past the per-IP limit, whoever sends them, anonymous callers included', async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < PER_IP; i++) {
      const runner = await seedRunner(db.pool);
      expect((await post(CLAIM, ip, { 'x-api-key': runner.apiKey })).status).toBe(200);
    }
    expectRateLimited(await post(CLAIM, ip, { 'x-api-key': (await seedRunner(db.pool)).apiKey }));
    expectRateLimited(await post(CLAIM, ip));
    // Another address is not held back by this one.
    expect((await post(CLAIM, '10.3.0.2', { 'x-api-key': (await seedRunner(db.pool)).apiKey })).status).toBe(200);
  });

  it('never limits queries', async () => {
    const runner = await seedRunner(db.pool);
    for (let i = 0; i < PER_KEY * 3; i++) {
      const result = await post(`{ __typename }`, '10.4.0.1', { 'x-api-key': runner.apiKey });
      expect(result.status).toBe(200);
    }
  });
});

describe('rate limits on websocket connections', () => {
  it('closes connections past the per-IP limit with 4430 and a retry-after', async () => {
    const { token } = await seedToken(db.pool, 'VIEWER');
    const opened = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      // Distinct credentials, one address: only the address limit is in play.
      const { token: own } = await seedToken(db.pool, 'VIEWER');
      const connection = await connect({ Authorization: `Bearer ${own}` }, '10.6.0.1');
      expect(connection.ack).toBe(true);
      opened.push(connection.socket);
    }
    const refused = await connect({ Authorization: `Bearer ${token}` }, '10.6.0.1');
    expect(refused.ack).toBe(false);
    expect(refused.code).toBe(4430);
    expect(refused.reason).toMatch(/^Too many connections; retry after \d+ s$/);
    opened.forEach((s) => s.close());
  });

  it('closes connections past one credential\'s limit, from whatever address', async () => {
    const { token } = await seedToken(db.pool, 'VIEWER');
    for (let i = 0; i < CONNECTIONS; i++) {
      const connection = await connect({ Authorization: `Bearer ${token}` }, `10.7.0.${i}`);
      expect(connection.ack).toBe(true);
      connection.socket.close();
    }
    const refused = await connect({ Authorization: `Bearer ${token}` }, '10.7.1.1');
    expect(refused.code).toBe(4430);
  });
});

describe('the default limits', () => {
  it('are generous enough for a fleet of runners and the admin', () => {
    const config = loadConfig({});
    expect(config.rateLimitMutationsPerMinute).toBeGreaterThanOrEqual(6000);
    expect(config.rateLimitIpMutationsPerMinute).toBeGreaterThanOrEqual(config.rateLimitMutationsPerMinute);
    expect(config.rateLimitConnectionsPerMinute).toBeGreaterThanOrEqual(100);
    expect(config.trustProxy).toBe(false);
    expect(loadConfig({ RATE_LIMIT_MUTATIONS_PER_MINUTE: '0' }).rateLimitMutationsPerMinute).toBe(0);
  });
});
