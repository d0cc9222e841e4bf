/**
 * The cost of a request's document is bounded for every caller: a document over 100 KB is refused
 * before it is parsed (a caller without credentials cannot send a body that large at all) (HTTP 413, DOCUMENT_TOO_LARGE, and the same over graphql-ws), and what the
 * parser cache keeps is bounded by bytes. Proven against a production server running as its own
 * process with `npm start`'s heap flags, whose memory is read from outside after a forced collection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_DOCUMENT_BYTES } from '../../server/graphql/plugins/documentSize.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { inspectorUrl, memoryUsage, settledRssMb } from '../helpers/processMemory.ts';
import { seedRunner, seedToken } from '../helpers/seed.ts';
import { freePort, npmStartProcess, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';

let db: TestDatabase;
let server: ServerProcess;
const callers: Array<Record<string, string>> = [{}];

beforeAll(async () => {
  db = await createTestDatabase();
  callers.push({ authorization: `Bearer ${(await seedToken(db.pool, 'VIEWER')).token}` });
  callers.push({ 'x-api-key': (await seedRunner(db.pool)).apiKey });
  server = await startServerProcess({
    databaseUrl: db.url,
    port: await freePort(),
    nodeArgs: [...npmStartProcess().nodeArgs, '--inspect=127.0.0.1:0'],
    env: { ...npmStartProcess().env, NODE_ENV: 'production', LOG_LEVEL: 'warn', RATE_LIMIT_MUTATIONS_PER_MINUTE: '0', RATE_LIMIT_IP_MUTATIONS_PER_MINUTE: '0', RATE_LIMIT_CONNECTIONS_PER_MINUTE: '0' },
  });
}, 60_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await server?.exited;
  await db?.drop();
});

async function post(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}

/** A document of exactly `bytes` bytes: mostly a comment, then a valid operation. */
function commentedDocument(bytes: number, tag: string): string {
  const operation = `\n{ viewer { role } }`;
  const head = `# ${tag} `;
  return head + 'a'.repeat(bytes - head.length - operation.length) + operation;
}

/** Subscribes over graphql-ws with `query` and resolves with the answer to that operation. */
function overWebsocket(query: string, params: Record<string, string>): Promise<{ type: string; payload: any }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => reject(new Error('no answer over graphql-ws in 15 s')), 15_000);
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: 'op', type: 'subscribe', payload: { query } }));
      if (message.id === 'op' && (message.type === 'error' || message.type === 'next')) {
        clearTimeout(timer);
        socket.terminate();
        resolve(message);
      }
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`closed with ${code} before answering`));
    });
  });
}

describe('the size of a GraphQL document', () => {
  it('accepts a document of exactly 100 KB and refuses one byte more with 413 DOCUMENT_TOO_LARGE, for every signed-in caller', async () => {
    for (const headers of callers.slice(1)) {
      const fits = await post(commentedDocument(MAX_DOCUMENT_BYTES, 'fits'), headers);
      expect(fits.status).toBe(200);
      expect(fits.body.data.viewer.role).toBeTypeOf('string');

      const over = await post(commentedDocument(MAX_DOCUMENT_BYTES + 1, 'over'), headers);
      expect(over.status).toBe(413);
      expect(over.body.data ?? null).toBeNull();
      expect(over.body.errors![0]!.extensions!.code).toBe('DOCUMENT_TOO_LARGE');
      expect(over.body.errors![0]!.message).toMatch(/larger than 102400 bytes/);
    }
    // Bytes of UTF-8, not characters: 40,000 three-byte characters are 120,000 bytes.
    const wide = await post(`# ${'€'.repeat(40_000)}\n{ viewer { role } }`, callers[1]);
    expect(wide.status).toBe(413);
    expect(wide.body.errors![0]!.extensions!.code).toBe('DOCUMENT_TOO_LARGE');
  });

  it('refuses a body that large from a caller without credentials before reading it (its limit is 64 KB)', async () => {
    const anonymous = await post(commentedDocument(MAX_DOCUMENT_BYTES, 'anonymous'));
    expect(anonymous.status).toBe(413);
    expect(anonymous.body.errors![0]!.extensions!.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses the same over graphql-ws and keeps the connection', async () => {
    const viewer = { Authorization: callers[1]!.authorization! };
    const answer = await overWebsocket(commentedDocument(MAX_DOCUMENT_BYTES + 1, 'ws'), viewer);
    expect(answer.type).toBe('error');
    expect(answer.payload[0].extensions.code).toBe('DOCUMENT_TOO_LARGE');
    const fine = await overWebsocket('{ viewer { role } }', viewer);
    expect(fine.payload.data.viewer.role).toBe('VIEWER');
  });

  it('stays up and keeps no more memory after hundreds of distinct multi-megabyte and token-dense documents', async () => {
    const inspector = inspectorUrl(server.output());
    // Warm: the first requests of a process load code and fill pools.
    for (let i = 0; i < 30; i++) await post(`{ viewer { role } } # warm ${i}`, callers[i % callers.length]);
    const before = await settledRssMb(server.pid, inspector);
    const usageBefore = await memoryUsage(inspector);

    // Distinct documents of 1 to 5 MB, mostly comment: each refused unparsed.
    for (let i = 0; i < 200; i++) {
      const size = (1 + (i % 5)) * 1024 * 1024;
      const document = commentedDocument(size, `burst ${i}`);
      if (i % 10 === 9) {
        // A websocket message is at most 1 MB: over graphql-ws, distinct documents just over the limit.
        const answer = await overWebsocket(commentedDocument(MAX_DOCUMENT_BYTES + 1 + i, `burst ${i}`), { Authorization: callers[1]!.authorization! });
        expect(answer.payload[0].extensions.code).toBe('DOCUMENT_TOO_LARGE');
      } else {
        // Bodies this large only a runner may send (72 MB); the others are refused by their body's size, unread.
        const caller = i % callers.length;
        const { status, body } = await post(document, callers[caller]);
        expect(status).toBe(413);
        expect(body.errors![0]!.extensions!.code).toBe(caller === 2 ? 'DOCUMENT_TOO_LARGE' : 'PAYLOAD_TOO_LARGE');
      }
    }
    // Distinct documents under the limit with 2,400 or 4,800 tokens each, which parse (and are
    // refused by validation): a parsed document of this shape holds 1.2 or 2.5 MB.
    for (let i = 0; i < 300; i++) {
      const aliases = Array.from({ length: 400 * (1 + (i % 2)) }, (_, k) => `d${i}_${k}: viewer { role }`).join(' ');
      const { status, body } = await post(`{ ${aliases} }`, callers[i % callers.length]);
      expect(status).toBeLessThan(500);
      expect(body.errors?.[0]?.message).toMatch(/alias/i);
    }

    const after = await settledRssMb(server.pid, inspector);
    process.stdout.write(`\ndocument burst: server RSS ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after; heap ${JSON.stringify(usageBefore)} before, ${JSON.stringify(await memoryUsage(inspector))} after\n`);
    expect(after - before).toBeLessThan(64);
    expect((await post('{ viewer { role } }')).body.data.viewer.role).toBe('ANONYMOUS');
  }, 180_000);
});
