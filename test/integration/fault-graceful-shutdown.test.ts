import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import type { GraphQLResponse } from '../helpers/graphql.ts';
import { APPEND_LOGS, JOB_LOGS, batchLines, shipBatch } from '../helpers/logShipper.ts';
import { openRawSubscription } from '../helpers/rawSubscription.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN } from '../helpers/server.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
let server: ServerProcess | undefined;
let locker: pg.PoolClient | undefined;

afterAll(async () => {
  server?.kill('SIGKILL');
  await server?.exited;
  // A failed assertion may leave the row lock held; the database cannot be dropped under it.
  await locker?.query('ROLLBACK').catch(() => undefined);
  locker?.release();
});

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

/** The server's connections by role: its pool, its LISTEN connection and its scheduler's job engine. */
const serverConnections = async () => {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT DISTINCT application_name AS name FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE 'scrapedeck%' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
};

describe('graceful shutdown on SIGTERM', () => {
  it('stops accepting, finishes the request in flight, closes subscriptions with 1001 and releases the database', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const jobId = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
    const port = await freePort();
    const live = (server = await startServerProcess({ databaseUrl: db.url, port }));
    const runnerClient = () => live.client({ apiKey: runner.apiKey });

    const sub = await openRawSubscription(live.wsUrl, { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, JOB_LOGS, { jobId });
    await shipBatch(runnerClient, jobId, 'before', batchLines(1, 3));
    await sub.waitFor(() => sub.results.length > 0);

    // Hold the run's row lock so that the next append is provably in flight inside the server.
    locker = await db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM run WHERE id = $1 FOR UPDATE', [jobId]);
    const inFlight = runnerClient()
      .request(APPEND_LOGS, { jobId, batchId: 'in-flight', logs: batchLines(2, 4) })
      .catch((error: unknown): GraphQLResponse => ({ errors: [{ message: `the request in flight failed: ${String(error)}` }] }));
    await waitUntil(async () => {
      const { rows } = await db.pool.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'scrapedeck' AND wait_event_type = 'Lock'`,
      );
      return rows[0]!.waiting === 1;
    }, 'the append to wait on the row lock');

    expect(await serverConnections()).toEqual(expect.arrayContaining(['scrapedeck', 'scrapedeck-listener']));
    live.kill('SIGTERM');
    await sub.waitFor(() => sub.closed !== null);
    expect(sub.closed).toEqual({ code: 1001, reason: 'Going away' });
    await waitUntil(() => refusesConnections(port), 'the port to refuse new connections');

    await locker.query('COMMIT');
    locker.release();
    locker = undefined;
    const answer = await inFlight;
    expect(answer.errors).toBeUndefined();
    expect(answer.data.appendLogs).toEqual({
      __typename: 'MutationAppendLogsSuccess',
      data: { fromSeq: 4, toSeq: 7, duplicate: false },
    });

    const exit = await live.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(live.output()).toContain('Scrapedeck API stopped');
    await waitUntil(async () => (await serverConnections()).length === 0, 'the server to release its database connections');
    const { rows } = await db.pool.query(`SELECT max(seq)::int AS last FROM log_line WHERE run_id = $1`, [jobId]);
    expect(rows[0].last).toBe(7);
  });

  it('answers new requests on kept-alive connections at once with 503 and Connection: close, and exits as soon as the request in flight is done', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const held = String(await insertRun(db.pool, { scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
    const busy = String(await insertRun(db.pool, { scraperId: (await seedScraper(db.pool)).scraperId, status: 'RUNNING', runnerId: runner.runnerId }));
    const port = await freePort();
    const live = (server = await startServerProcess({ databaseUrl: db.url, port, env: { SCHEDULER: 'true' } }));

    // Four runners' worth of appends, back to back on kept-alive connections, as a busy fleet sends them.
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    type Answer = { sentAt: number; status: number | string; connection?: string; code?: string };
    const answers: Answer[] = [];
    let sent = 0;
    const post = (jobId: string, batchId: string) =>
      new Promise<Answer>((resolve) => {
        const sentAt = Date.now();
        const body = JSON.stringify({ query: APPEND_LOGS, variables: { jobId, batchId, logs: batchLines(sent, 5) } });
        const req = httpRequest(
          { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': runner.apiKey } },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () => resolve({ sentAt, status: res.statusCode!, connection: res.headers.connection, code: JSON.parse(text).errors?.[0]?.extensions?.code }));
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) => resolve({ sentAt, status: error.code ?? 'error' }));
        req.end(body);
      });
    let stopLoops = false;
    const loops = Array.from({ length: 3 }, async (_, loop) => {
      while (!stopLoops) {
        const answer = await post(busy, `loop-${loop}-${++sent}`);
        answers.push(answer);
        if (typeof answer.status === 'string') break; // refused: the port is closed
      }
    });
    await waitUntil(() => answers.filter((a) => a.status === 200).length >= 10, 'appends to flow');

    // One request held in flight by the run's row lock.
    locker = await db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM run WHERE id = $1 FOR UPDATE', [held]);
    const inFlight = post(held, 'in-flight');
    await waitUntil(async () => {
      const { rows } = await db.pool.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'scrapedeck' AND wait_event_type = 'Lock'`,
      );
      return rows[0]!.waiting === 1;
    }, 'the held append to wait on the row lock');

    // A kept-alive connection that has begun its next request when the signal comes: it is answered, not dropped.
    const raw = connect(port, '127.0.0.1');
    const rawAnswers: string[] = [];
    raw.setEncoding('utf8').on('data', (chunk: string) => rawAnswers.push(chunk));
    let sigterm = 0;
    const rawRequest = (batchId: string) => {
      const body = JSON.stringify({ query: APPEND_LOGS, variables: { jobId: busy, batchId, logs: batchLines(0, 1) } });
      return `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-api-key: ${runner.apiKey}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    raw.write(rawRequest('raw-1'));
    await waitUntil(() => rawAnswers.join('').includes('MutationAppendLogsSuccess'), 'the first request on the raw connection');
    const second = rawRequest('raw-2');
    raw.write(second.slice(0, 40));

    sigterm = Date.now();
    live.kill('SIGTERM');
    await waitUntil(() => refusesConnections(port), 'the port to refuse new connections');
    rawAnswers.length = 0;
    raw.write(second.slice(40));
    await waitUntil(() => rawAnswers.join('').includes('\r\n\r\n{'), 'the answer to the request begun before the signal');
    const [head, body] = rawAnswers.join('').split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(head).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(JSON.parse(body!).errors[0].extensions.code).toBe('SHUTTING_DOWN');
    raw.destroy();

    // The busy fleet's appends: whatever was sent after the signal reached the server was refused or
    // its connection closed, never stored (the retry goes to another instance).
    await waitUntil(() => answers.some((a) => a.sentAt > sigterm && a.status !== 200), 'appends after SIGTERM to be refused');
    const afterwards = answers.filter((a) => a.sentAt > sigterm + 100);
    expect(afterwards.filter((a) => a.status === 200)).toEqual([]);
    expect(afterwards.every((a) => a.status === 503 || a.status === 'ECONNRESET' || a.status === 'ECONNREFUSED')).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 500));
    const released = Date.now();
    await locker.query('COMMIT');
    locker.release();
    locker = undefined;
    expect(await inFlight).toMatchObject({ status: 200 });
    const exit = await live.exited;
    const exitedAfter = Date.now() - released;
    stopLoops = true;
    await Promise.all(loops);
    agent.destroy();
    process.stdout.write(`\nshutdown: exited ${exitedAfter} ms after the last request in flight was done\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    // Not the 10 s grace period: as soon as the request in flight was answered.
    expect(exitedAfter).toBeLessThan(3_000);
  });
});
