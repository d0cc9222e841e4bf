/**
 * The LISTEN connection notices a network that went silent (no error, no FIN: a dead peer, a
 * dropped NAT entry) through its keep-alive probe, reconnects, and tells its users to replay.
 * A TCP proxy that can freeze the connections passing through it plays the broken network.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgListener, type PgListener } from '../../server/db/listener.ts';
import { createLogger } from '../../server/logger.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

type FreezingProxy = { url: string; connections(): number; freeze(): void; close(): Promise<void> };

/** Forwards TCP to PostgreSQL; freeze() stops moving bytes on the connections open now, silently. */
async function startProxy(targetUrl: string): Promise<FreezingProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<[Socket, Socket]>();
  const frozen: Socket[] = [];
  const server: Server = createServer((downstream) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [downstream, upstream];
    pairs.add(pair);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    const forget = () => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const proxied = new URL(targetUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: proxied.toString(),
    connections: () => pairs.size,
    freeze() {
      for (const [downstream, upstream] of pairs) {
        downstream.unpipe(upstream);
        upstream.unpipe(downstream);
        downstream.pause();
        upstream.pause();
        frozen.push(downstream, upstream);
      }
      pairs.clear();
    },
    async close() {
      for (const socket of frozen) socket.destroy();
      for (const [downstream, upstream] of pairs) {
        downstream.destroy();
        upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const db = useTestDatabase();
let proxy: FreezingProxy;
let listener: PgListener | undefined;

beforeAll(async () => {
  proxy = await startProxy(db.url);
});

afterAll(async () => {
  await listener?.close();
  await proxy?.close();
});

describe('the LISTEN keep-alive', () => {
  it('reconnects when the network goes silent, and notifications flow again', async () => {
    listener = await createPgListener(proxy.url, createLogger('silent'), { keepAliveMs: 300, maxBackoffMs: 200 });
    const received: string[] = [];
    let reconnects = 0;
    await listener.on('probe_channel', (payload) => received.push(payload));
    listener.onReconnect(() => reconnects++);

    await db.pool.query(`SELECT pg_notify('probe_channel', 'before')`);
    await waitUntil(() => received.includes('before'), 'the first notification', 10_000);

    // The connection stays open at both ends, but nothing passes any more: no error will ever come.
    const reconnectsBefore = reconnects;
    proxy.freeze();
    await db.pool.query(`SELECT pg_notify('probe_channel', 'lost')`);
    await waitUntil(() => reconnects > reconnectsBefore && listener!.connected, 'a reconnect', 10_000);

    // Sent until heard, so that a busy machine's slow probe (one more reconnect) cannot fail the test.
    const deadline = Date.now() + 10_000;
    while (!received.includes('after')) {
      if (Date.now() > deadline) throw new Error('no notification over the new connection');
      await db.pool.query(`SELECT pg_notify('probe_channel', 'after')`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // 'lost' went to the frozen connection: gone, which is why users replay from the table on reconnect.
    expect(received[0]).toBe('before');
    expect(received).not.toContain('lost');
  });
});
