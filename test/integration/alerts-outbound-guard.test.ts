import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedPost, RESPONSE_LIMIT_BYTES } from '../../server/alerts/delivery/guardedPost.ts';
import { OutboundRefusedError } from '../../server/alerts/delivery/outboundGuard.ts';
import { attemptsOf, createChannel, notificationRow, queue, settled } from '../helpers/alerts.ts';
import { startHttpReceiver, type HttpReceiver } from '../helpers/httpReceiver.ts';
import { useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

// As in a shared deployment: private targets not allowed, and no SMTP server configured.
const { db, server } = useTestServer({ alertRetryScheduleSeconds: [0.2] });

/** A TCP listener on loopback that counts connections and never answers: whatever reaches it got past the guard. */
let tcp: net.Server;
let tcpPort: number;
let connections = 0;
const sockets = new Set<net.Socket>();
let receiver: HttpReceiver;

beforeAll(async () => {
  tcp = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  tcpPort = (tcp.address() as net.AddressInfo).port;
  receiver = await startHttpReceiver({ body: 'x'.repeat(10 * RESPONSE_LIMIT_BYTES) });
});

afterAll(async () => {
  await receiver.close();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
});

const post = (url: string, allowPrivateTargets: boolean, timeoutMs?: number) =>
  guardedPost(new URL(url), { headers: { 'content-type': 'application/json' }, body: '{}', allowPrivateTargets, timeoutMs });

describe('the outbound guard', () => {
  it('refuses a host name that resolves to loopback, checked on the resolved address: no connection is made', async () => {
    const before = connections;
    const refusal = await post(`https://localhost:${tcpPort}/hook`, false).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(OutboundRefusedError);
    expect((refusal as Error).message).toMatch(/^refused: the host resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address$/);
    expect(connections).toBe(before);
  });

  it.each([
    ['loopback', `https://127.0.0.1:PORT/hook`],
    ['IPv4-mapped loopback', `https://[::ffff:127.0.0.1]:PORT/hook`],
    ['IPv4-mapped loopback in hex', `https://[::ffff:7f00:1]:PORT/hook`],
    ['loopback written as one number', `https://2130706433:PORT/hook`],
    ['the cloud metadata address', `https://169.254.169.254:PORT/latest`],
    ['unspecified', `https://0.0.0.0:PORT/hook`],
  ])('refuses an address literal (%s) before connecting', async (_what, url) => {
    const before = connections;
    await expect(post(url.replace('PORT', String(tcpPort)), false)).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(connections).toBe(before);
  });

  it('refuses http unless private targets are allowed', async () => {
    await expect(post(`http://hooks.example.test/hook`, false)).rejects.toThrow('refused: only https targets are allowed');
  });

  it('with private targets allowed, reaches loopback, keeps at most 1 KB of the answer and follows no redirect', async () => {
    const answer = await post(receiver.url('/big'), true);
    expect(answer.statusCode).toBe(200);
    expect(answer.response).toBe('x'.repeat(RESPONSE_LIMIT_BYTES));

    receiver.redirect('/old', receiver.url('/new'));
    const redirected = await post(receiver.url('/old'), true);
    expect(redirected.statusCode).toBe(302);
    expect(receiver.received.filter((r) => r.path === '/new')).toHaveLength(0);
  });

  it('gives up on a receiver that does not answer within the deadline', async () => {
    const before = connections;
    await expect(post(`http://127.0.0.1:${tcpPort}/slow`, true, 300)).rejects.toThrow('no answer within');
    expect(connections).toBe(before + 1);
  });
});

describe('deliveries under the guard', () => {
  it('records a refused target as a failed attempt (a channel whose host came to resolve to loopback) and never connects', async () => {
    // Made straight in the table: the API refuses localhost, as a DNS change after creation would get past it.
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO alert_channel (name, kind, url, secret) VALUES ('rebound', 'WEBHOOK', $1, $2) RETURNING id`,
      [`https://localhost:${tcpPort}/hook`, `whsec_${Buffer.alloc(32, 1).toString('base64')}`],
    );
    const before = connections;
    const [id] = await queue(db.pool, { channelIds: [rows[0]!.id] });
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');
    expect(await notificationRow(db.pool, id!)).toMatchObject({ status: 'FAILED', attemptCount: 2 });
    for (const attempt of await attemptsOf(db.pool, id!)) {
      expect(attempt).toMatchObject({ ok: false, statusCode: null, response: null });
      expect(attempt.error).toMatch(/^refused: the host resolves to (127\.0\.0\.1|::1)/);
      expect(attempt.error).not.toContain('/hook');
    }
    expect(connections).toBe(before);
  });

  it('fails an email notification with a clear error when no SMTP server is configured', async () => {
    const channel = await createChannel(server.admin, { name: 'mail without smtp', kind: 'EMAIL', recipients: ['ops@example.test'] });
    const [id] = await queue(db.pool, { channelIds: [channel.id] });
    await waitUntil(() => settled(db.pool, id!), 'the notification to settle');
    const attempts = await attemptsOf(db.pool, id!);
    expect(attempts.map((a) => a.error)).toEqual(Array(2).fill('no SMTP server is configured: set SMTP_URL to send email'));
    expect((await notificationRow(db.pool, id!)).status).toBe('FAILED');
  });
});
