/**
 * PostgreSQL ends the server's idle connections (pg_terminate_backend, as an operator, a pooler or
 * a failover does): the server process lives on, replaces them, and answers as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { listenerBackends } from '../helpers/listener.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
let api: ServerProcess | undefined;

beforeAll(async () => {
  api = await startServerProcess({ databaseUrl: db.url, port: await freePort(), env: { LOG_LEVEL: 'warn' } });
});

afterAll(async () => {
  api?.kill('SIGKILL');
  await api?.exited;
});

const databaseName = () => new URL(db.url).pathname.slice(1);

/** The server's sessions that are idle now: its pool's and its LISTEN connection. */
async function idleServerSessions(): Promise<number[]> {
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'scrapedeck%' AND state = 'idle'`,
    [databaseName()],
  );
  return rows.map((row) => row.pid);
}

describe('idle database connections terminated under the server', () => {
  it('leave the server running: it reconnects and still answers queries', async () => {
    const server = api!;
    // Several requests at once leave several connections idle in the server's pool.
    await Promise.all(Array.from({ length: 6 }, () => server.admin.data(`{ runners { id } scrapers { id } }`)));
    await waitUntil(async () => (await idleServerSessions()).length >= 3, 'idle pool connections and the LISTEN connection');

    const pids = await idleServerSessions();
    const { rows } = await db.pool.query<{ ended: boolean }>(`SELECT pg_terminate_backend(pid) AS ended FROM unnest($1::int[]) AS pid`, [pids]);
    expect(rows.every((row) => row.ended)).toBe(true);
    await waitUntil(async () => {
      const { rows: left } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [pids]);
      return left.length === 0;
    }, 'the terminated sessions to end');

    // The pool heard of each loss (an 'error' event on an idle client, fatal without a listener).
    await waitUntil(() => !server.alive() || server.output().includes('idle database connection lost'), 'the server to notice the lost connections');
    expect(server.alive(), server.output()).toBe(true);
    const answer = await server.admin.request(`{ runners { id } scrapers { id } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ runners: [], scrapers: [] });
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(health.status).toBe(200);
    // The LISTEN connection is back too.
    await waitUntil(async () => (await listenerBackends(db)) === 1, 'the LISTEN connection to reconnect');
    expect(server.output()).not.toMatch(/uncaught|unhandled/i);
  });
});
