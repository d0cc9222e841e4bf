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
});
