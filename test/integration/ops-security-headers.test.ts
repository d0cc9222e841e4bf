/**
 * Security headers on every kind of response, and the origins that may call /graphql from a
 * browser: open by default (bearer tokens, no cookies), closed or narrowed by CORS_ORIGINS.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../server/config.ts';
import { inlineScripts } from '../../server/graphql/graphiqlPage.ts';
import { ensureAdminBuilt } from '../helpers/browser.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';

const db = useTestDatabase();
let production: TestServer;
let withGraphiql: TestServer;
let closed: TestServer;
let narrowed: TestServer;

beforeAll(async () => {
  await ensureAdminBuilt();
  [production, withGraphiql, closed, narrowed] = await Promise.all([
    startTestServer(db.url, { production: true, graphiql: false, introspection: false }),
    startTestServer(db.url, { graphiql: true }),
    startTestServer(db.url, { corsOrigins: [] }),
    startTestServer(db.url, { corsOrigins: ['https://tools.example.com', 'https://wiki.example.com'] }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([production, withGraphiql, closed, narrowed].map((s) => s?.stop()));
});

const base = (server: TestServer) => `http://127.0.0.1:${server.port}`;
const directives = (policy: string | null) => new Map((policy ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

function expectCommonHeaders(response: Response) {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(directives(response.headers.get('content-security-policy')).get('frame-ancestors')).toEqual(["'none'"]);
}

describe('security headers', () => {
  it.each(['/', '/runs/42', '/scrapers'])('serve the admin page %s with a strict policy: its own origin only, no inline script', async (page) => {
    const response = await fetch(`${base(production)}${page}`);
    expect(response.status).toBe(200);
    expectCommonHeaders(response);
    const policy = directives(response.headers.get('content-security-policy'));
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('connect-src')).toEqual(["'self'", `ws://127.0.0.1:${production.port}`, `wss://127.0.0.1:${production.port}`]);
    // And the page needs no more: no inline script or style in it.
    const html = await response.text();
    expect(inlineScripts(html)).toEqual([]);
    expect(html).not.toMatch(/<style|style="/);
  });

  it('serve the admin assets with the same headers', async () => {
    const html = await (await fetch(base(production))).text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)![1]!;
    const response = await fetch(`${base(production)}${script}`);
    expect(response.status).toBe(200);
    expectCommonHeaders(response);
  });

  it.each([
    ['a GraphQL answer', (s: TestServer) => fetch(s.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { role } }"}' })],
    ['/healthz', (s: TestServer) => fetch(`${base(s)}/healthz`)],
    ['/metrics', (s: TestServer) => fetch(`${base(s)}/metrics`)],
  ])('serve %s as data that nothing may run or frame', async (_label, send) => {
    const response = await send(production);
    expectCommonHeaders(response);
    expect(directives(response.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
  });

  it("give GraphiQL, where it is on, exactly its inline scripts (by hash) and its CDN's code", async () => {
    const response = await fetch(withGraphiql.httpUrl, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expectCommonHeaders(response);
    const html = await response.text();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    expect(meta).not.toBeNull();
    const policy = directives(meta![1]!);
    const scripts = inlineScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(policy.get('script-src')).toEqual([...hashes, expect.stringMatching(/^https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[\d.]+\/$/)]);
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
    // The header narrows its websocket to this host.
    expect(directives(response.headers.get('content-security-policy')).get('connect-src')).toContain(`ws://127.0.0.1:${withGraphiql.port}`);
    // Answers of the same endpoint are data, GraphiQL or not.
    const answer = await fetch(withGraphiql.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { role } }"}' });
    expect(directives(answer.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
  });

  it('answer a malformed URL with 400 and stay up', async () => {
    const response = await fetch(`${base(production)}/%E0%A4%A`);
    expect(response.status).toBe(400);
    expect((await fetch(`${base(production)}/healthz`)).status).toBe(200);
  });
});

const preflight = (server: TestServer, origin: string) =>
  fetch(server.httpUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

/** Opens a graphql-ws connection with an Origin header; resolves with the close code, or 'ack'. */
function connectFrom(server: TestServer, origin: string | undefined): Promise<number | 'ack'> {
  return new Promise((resolve) => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })));
    socket.on('message', (raw) => {
      if (JSON.parse(String(raw)).type === 'connection_ack') {
        socket.close();
        resolve('ack');
      }
    });
    socket.on('close', (code) => resolve(code));
    socket.on('error', () => undefined);
  });
}

describe('CORS_ORIGINS', () => {
  it('is open to any origin by default, without credentials', async () => {
    const response = await preflight(production, 'https://anyone.example.org');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://anyone.example.org');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(await connectFrom(production, 'https://anyone.example.org')).toBe('ack');
  });

  it('set to none, lets no other origin read an answer or open a websocket', async () => {
    const response = await preflight(closed, 'https://anyone.example.org');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await connectFrom(closed, 'https://anyone.example.org')).toBe(4403);
    // The admin's own origin, and clients that are not browsers, are not concerned.
    expect(await connectFrom(closed, `http://127.0.0.1:${closed.port}`)).toBe('ack');
    expect(await connectFrom(closed, undefined)).toBe('ack');
  });

  it('set to a list, lets exactly those origins in', async () => {
    for (const origin of ['https://tools.example.com', 'https://wiki.example.com']) {
      expect((await preflight(narrowed, origin)).headers.get('access-control-allow-origin')).toBe(origin);
      expect(await connectFrom(narrowed, origin)).toBe('ack');
    }
    expect((await preflight(narrowed, 'https://evil.example.net')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example.net');
    expect(await connectFrom(narrowed, 'https://evil.example.net')).toBe(4403);
  });

  it('is read from the environment and refuses what is not an origin', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://b.example.com:8080' }).corsOrigins).toEqual(['https://a.example.com', 'http://b.example.com:8080']);
    expect(loadConfig({ CORS_ORIGINS: 'none' }).corsOrigins).toEqual([]);
    expect(loadConfig({}).corsOrigins).toBe('*');
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example.com/path' })).toThrow(/CORS_ORIGINS must be/);
  });
});
