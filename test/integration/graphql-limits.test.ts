/** Query depth, cost, alias and token limits (GraphQL Armor), over HTTP and over graphql-ws alike; request size limits. */
import { request } from 'node:http';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';

const { db, server } = useTestServer();
let slug: string;

beforeAll(async () => {
  ({ slug } = await seedScraper(db.pool));
});

/** scraper → runs → edges → node → scraper → runs …: each round adds four levels. */
function nested(rounds: number): string {
  let inner = 'id';
  for (let i = 0; i < rounds; i++) inner = `scraper { id runs(first: 1) { edges { node { ${inner} } } } }`;
  return `query($slug: String!) { scraper(slug: $slug) { runs(first: 1) { edges { node { ${inner} } } } } }`;
}

const messages = (result: { errors?: Array<{ message: string }> }) => (result.errors ?? []).map((e) => e.message).join('\n');

describe('GraphQL Armor limits', () => {
  it('answers a reasonably nested query', async () => {
    const result = await server.admin.request(nested(1), { slug });
    expect(result.errors).toBeUndefined();
    expect(result.data.scraper.runs.edges).toEqual([]);
  });

  it('refuses a query nested deeper than 12 levels before running it', async () => {
    const result = await server.admin.request(nested(3), { slug });
    expect(result.data ?? null).toBeNull();
    expect(messages(result)).toMatch(/depth/i);
  });

  it('refuses a query whose cost is above the limit, counting what first asks for', async () => {
    const paged = (first: number) =>
      `{ scrapers { runs(first: ${first}) { edges { node { id scraper { runs(first: ${first}) { edges { node { id status } } } } } } } } }`;
    const modest = await server.admin.request(paged(5));
    expect(modest.errors).toBeUndefined();
    // The same shape asking for 200 × 200 runs is refused before it runs.
    const greedy = await server.admin.request(paged(200));
    expect(greedy.data ?? null).toBeNull();
    expect(messages(greedy)).toMatch(/cost/i);
  });

  it('refuses more than 20 aliases', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `s${i}: scrapers { id }`).join(' ');
    expect((await server.admin.request(`{ ${aliases(20)} }`)).errors).toBeUndefined();
    const result = await server.admin.request(`{ ${aliases(21)} }`);
    expect(result.data ?? null).toBeNull();
    expect(messages(result)).toMatch(/alias/i);
  });

  it('refuses a document of more than 5000 tokens', async () => {
    const fields = Array.from({ length: 5000 }, () => 'id').join(' ');
    const result = await server.admin.request(`{ scrapers { ${fields} } }`);
    expect(result.data ?? null).toBeNull();
    expect(messages(result)).toMatch(/token/i);
  });

  it('applies the same limits to operations sent over graphql-ws', async () => {
    const ws = server.admin.ws();
    const deep = collect(ws, nested(3), { slug });
    await deep.waitFor(() => deep.errors.length > 0 || deep.completed);
    expect(deep.events).toEqual([]);
    expect(JSON.stringify(deep.errors)).toMatch(/depth/i);
    deep.dispose();
    const broken = collect(ws, '{ scrapers { id ');
    await broken.waitFor(() => broken.errors.length > 0);
    expect(JSON.stringify(broken.errors)).toMatch(/Syntax Error/);
    // The refusals were answers on a healthy connection, which still serves the next operation.
    const fine = collect(ws, '{ scrapers { slug } }');
    await fine.waitFor(() => fine.completed);
    expect(fine.events).toEqual([{ scrapers: [{ slug }] }]);
    expect(fine.errors).toEqual([]);
    await ws.dispose();
  });
});

/** A raw POST to /graphql with the given headers and body chunks; resolves with the status and body. */
function rawPost(headers: Record<string, string>, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may answer and close before the body is sent: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('request size', () => {
  it('refuses a body announced larger than the limit before reading it', async () => {
    const { status, body } = await rawPost({ 'content-length': String(200 * 1024 * 1024), authorization: 'Bearer test-admin-token-0123456789abcdef' }, []);
    expect(status).toBe(413);
    expect(JSON.parse(body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a chunked body, whose size cannot be checked up front', async () => {
    const query = new TextEncoder().encode(JSON.stringify({ query: '{ scrapers { id } }' }));
    // A stream body has no length: fetch sends it chunked.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(query.slice(0, 10));
        controller.enqueue(query.slice(10));
        controller.close();
      },
    });
    const response = await fetch(server.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-admin-token-0123456789abcdef' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(411);
    expect((await response.json()).errors[0].extensions.code).toBe('LENGTH_REQUIRED');
  });
});

/**
 * Sends raw bytes on one connection, in chunks as a real client does, and resolves with everything
 * the server answered and whether the connection ended cleanly or was reset.
 */
function rawExchange(chunks: string[]): Promise<{ answer: string; reset: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    let answer = '';
    let reset = false;
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (reset = error.code === 'ECONNRESET' || error.code === 'EPIPE'));
    socket.on('close', () => resolve({ answer, reset }));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) break;
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
}

const split = (text: string, size = 16 * 1024) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

describe('request lines and headers past the limit', () => {
  it('answers a 100 KB query string with 414 URI_TOO_LONG, not a reset connection', async () => {
    const query = encodeURIComponent(`{ scrapers { id } }${' '.repeat(100_000)}`);
    // Written at once, as HTTP clients write a request's head.
    const { answer, reset } = await rawExchange([`GET /graphql?query=${query} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`]);
    expect(reset).toBe(false);
    expect(answer).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!).errors[0]).toMatchObject({ extensions: { code: 'URI_TOO_LONG' }, message: expect.stringMatching(/POST body/) });
  });

  it.each([
    ['one 70 KB header on a GET', `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: ${'b'.repeat(70_000)}\r\n\r\n`],
    ['many headers of 70 KB in all, then a body', `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 27\r\n${Array.from({ length: 700 }, (_, i) => `x-h${i}: ${'h'.repeat(95)}\r\n`).join('')}\r\n{"query":"{ __typename }"}`],
    ['a 1 MB header', `GET /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${'t'.repeat(1_000_000)}\r\n\r\n`],
  ])('answers %s with 431 HEADERS_TOO_LARGE, not a reset connection', async (_label, text) => {
    const { answer, reset } = await rawExchange(split(text));
    expect(reset).toBe(false);
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!).errors[0].extensions.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers bytes that are not HTTP with 400', async () => {
    const { answer, reset } = await rawExchange(['\u0000\u0001 not http at all\r\n\r\n']);
    expect(reset).toBe(false);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
