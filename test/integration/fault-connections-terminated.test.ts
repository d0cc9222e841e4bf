/**
 * PostgreSQL ends the server's connections under it (pg_terminate_backend, as an operator, a pooler
 * or a failover does): idle ones in its pool, and one it holds inside a transaction. The server
 * process lives on, replaces them, and answers as before.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { listenerBackends } from '../helpers/listener.ts';
import { seedScraper } from '../helpers/seed.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
let api: ServerProcess | undefined;
let locker: pg.PoolClient | undefined;

beforeAll(async () => {
  api = await startServerProcess({ databaseUrl: db.url, port: await freePort(), env: { LOG_LEVEL: 'warn' } });
});

afterAll(async () => {
  // A failed assertion may leave the lock held; the database cannot be dropped under it.
  await locker?.query('ROLLBACK').catch(() => undefined);
  locker?.release();
  api?.kill('SIGKILL');
  await api?.exited;
});

const databaseName = () => new URL(db.url).pathname.slice(1);

/** The server's sessions in a state: 'idle' (its pool's and its LISTEN connection), or waiting on a lock. */
async function serverSessions(where: 'idle' | 'waiting on a lock'): Promise<number[]> {
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = $1 AND application_name LIKE 'scrapedeck%' AND ${where === 'idle' ? `state = 'idle'` : `wait_event_type = 'Lock'`}`,
    [databaseName()],
  );
  return rows.map((row) => row.pid);
}

async function terminate(pids: number[]): Promise<void> {
  const { rows } = await db.pool.query<{ ended: boolean }>(`SELECT pg_terminate_backend(pid) AS ended FROM unnest($1::int[]) AS pid`, [pids]);
  expect(rows.map((row) => row.ended)).toEqual(pids.map(() => true));
  await waitUntil(async () => (await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids])).rows.length === 0, 'the terminated sessions to end');
}

async function expectServerAnswers(server: ServerProcess): Promise<void> {
  expect(server.alive(), server.output()).toBe(true);
  const answer = await server.admin.request(`{ runners { id } scrapers { slug } }`);
  expect(answer.errors).toBeUndefined();
  expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  expect(server.output()).not.toMatch(/uncaught|unhandled/i);
}

describe('database connections terminated under the server', () => {
  it('when idle in its pool: it notices, reconnects and still answers', async () => {
    const server = api!;
    // Several requests at once leave several connections idle in the server's pool.
    await Promise.all(Array.from({ length: 6 }, () => server.admin.data(`{ runners { id } scrapers { id } }`)));
    await waitUntil(async () => (await serverSessions('idle')).length >= 3, 'idle pool connections and the LISTEN connection');
    await terminate(await serverSessions('idle'));

    // The pool heard of each loss (an 'error' event on an idle client, fatal without a listener).
    await waitUntil(() => !server.alive() || server.output().includes('idle database connection lost'), 'the server to notice the lost connections');
    await expectServerAnswers(server);
    await waitUntil(async () => (await listenerBackends(db)) === 1, 'the LISTEN connection to reconnect');
  });

  it('when held inside a transaction: that request fails, the server goes on', async () => {
    const server = api!;
    const { scraperId } = await seedScraper(db.pool, { slug: 'held-up' });
    // The scraper's row lock keeps the server's triggerRun waiting inside its transaction.
    locker = await db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM scraper WHERE id = $1 FOR UPDATE', [scraperId]);
    const trigger = () => server.admin.request(`mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, { id: String(scraperId) });
    const stranded = trigger();
    await waitUntil(async () => (await serverSessions('waiting on a lock')).length === 1, 'triggerRun to wait on the row lock');
    await terminate(await serverSessions('waiting on a lock'));

    const answer = await stranded;
    // Answered as an outage, which a client retries.
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
    await locker.query('ROLLBACK');
    locker.release();
    locker = undefined;
    await expectServerAnswers(server);
    expect((await trigger()).data).toEqual({ triggerRun: { __typename: 'MutationTriggerRunSuccess' } });
  });
});
