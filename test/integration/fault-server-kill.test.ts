/**
 * The API process is SIGKILLed mid-run and started again on the same port: the runner's batches
 * are retried with their batch ids until stored, and each is stored exactly once, including the
 * one whose transaction committed after the process that sent it was gone. The scheduler killed
 * inside a pass leaves nothing half-done, and the restarted instance fires that fire time once.
 */
import type pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestFireAt } from '../../server/scheduler/cronSchedule.ts';
import { JOB_ENGINE_SCHEMA, TICK_QUEUE } from '../../server/scheduler/scheduler.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { collect } from '../helpers/graphql.ts';
import { JOB_LOGS, batchLines, deliveredLines, shipBatch, type ShippedBatch } from '../helpers/logShipper.ts';
import { runsOf, setSchedule, ticksOf } from '../helpers/scheduler.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const BATCHES = 40;
const LINES_PER_BATCH = 25;
/** The batch that is inside the database, waiting on a lock, when its server is killed. */
const STRANDED = 12;

const db = useTestDatabase();
let port: number;
let api: ServerProcess | undefined;

beforeAll(async () => {
  port = await freePort();
});

afterAll(async () => {
  // A failed assertion may leave a lock held; the database cannot be dropped under it.
  for (const client of holding) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
  api?.kill('SIGKILL');
  await api?.exited;
});

const holding = new Set<pg.PoolClient>();
const hold = async () => {
  const client = await db.pool.connect();
  holding.add(client);
  return client;
};
const letGo = (client: pg.PoolClient) => {
  holding.delete(client);
  client.release();
};

const start = async (scheduler = false) =>
  (api = await startServerProcess({ databaseUrl: db.url, port, env: { SCHEDULER: String(scheduler), LOG_LEVEL: 'warn' } }));

/** Waits until a statement of the API's matching `query` waits on a lock held by this test. */
const waitForApiBlockedOn = (query: string, what: string) =>
  waitUntil(async () => {
    const { rows } = await db.pool.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'scrapedeck' AND wait_event_type = 'Lock' AND query LIKE $1`,
      [`%${query}%`],
    );
    return rows[0]!.waiting === 1;
  }, what);

describe('the API server is SIGKILLed mid-run and restarted', () => {
  it('loses no batch and stores none twice while the runner retries', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const runner = await seedRunner(db.pool);
    const first = await start();
    await first.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, { id: String(scraperId) });
    const claimed = await first.client({ apiKey: runner.apiKey }).data(`mutation { claimRun { ... on MutationClaimRunSuccess { data { id } } } }`);
    const jobId: string = claimed.claimRun.data.id;
    // The runner reaches whichever process is listening on the port now.
    const runnerClient = () => api!.client({ apiKey: runner.apiKey });

    const shipped: ShippedBatch[] = [];
    const ship = async (from: number, to: number) => {
      for (let b = from; b <= to; b++) shipped.push(await shipBatch(runnerClient, jobId, `b${b}`, batchLines(b, LINES_PER_BATCH)));
    };
    await ship(1, STRANDED - 1);

    // Batch STRANDED reaches the database and waits there on the run's row lock, held by this test.
    const locker = await hold();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM run WHERE id = $1 FOR UPDATE', [jobId]);
    const rest = ship(STRANDED, BATCHES);
    await waitForApiBlockedOn('log_batch', 'the stranded batch to wait on the row lock');

    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Its server is gone, but its statement is still queued for the lock: releasing it lets that batch commit.
    await locker.query('COMMIT');
    letGo(locker);
    await start();
    await rest;

    const total = BATCHES * LINES_PER_BATCH;
    expect(shipped.map((s) => [s.fromSeq, s.toSeq])).toEqual(
      shipped.map((_, i) => [i * LINES_PER_BATCH + 1, (i + 1) * LINES_PER_BATCH]),
    );
    // The stranded batch committed without its server; the retry was answered with that first range.
    expect(shipped[STRANDED - 1]).toMatchObject({ duplicate: true, fromSeq: (STRANDED - 1) * LINES_PER_BATCH + 1 });
    expect(shipped[STRANDED - 1]!.attempts).toBeGreaterThan(1);

    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS lines, count(DISTINCT seq)::int AS seqs, max(seq)::int AS last,
              (SELECT count(*)::int FROM log_batch WHERE run_id = $1) AS batches,
              (SELECT last_seq FROM run WHERE id = $1) AS "runLastSeq"
         FROM log_line WHERE run_id = $1`,
      [jobId],
    );
    expect(rows[0]).toEqual({ lines: total, seqs: total, last: total, batches: BATCHES, runLastSeq: total });

    // An admin who reconnects to the restarted server replays every line once, in order.
    const watcher = collect(api!.admin.ws(), JOB_LOGS, { jobId });
    await watcher.waitFor(() => deliveredLines(watcher.events).length >= total);
    const expected = Array.from({ length: BATCHES }, (_, b) => batchLines(b + 1, LINES_PER_BATCH).map((l) => l.message)).flat();
    expect(deliveredLines(watcher.events).map((l) => l.message)).toEqual(expected);
    watcher.dispose();
    api!.kill('SIGTERM');
    expect(await api!.exited).toEqual({ code: 0, signal: null });
  });

  it('a scheduler pass cut short leaves nothing half-done, and the restarted instance fires that fire time once', { timeout: 60_000 }, async () => {
    // A yearly schedule whose last fire time passed unseen: a pass queues one run for it (RUN_ONCE).
    const { scraperId } = await seedScraper(db.pool, { cron: '0 0 1 1 *' });
    const fireAt = latestFireAt('0 0 1 1 *', 'UTC', new Date());
    await setSchedule(db.pool, scraperId, { scheduledThrough: new Date(fireAt.getTime() - 86_400_000) });
    const killed = await start(true);
    // Ticks are sent by hand rather than waiting for the minute: the instance's worker runs a pass for each.
    const boss = new PgBoss({ connectionString: db.url, schema: JOB_ENGINE_SCHEMA, supervise: false, schedule: false, migrate: false });
    // Only sends ticks; a failed send fails the test where it is awaited.
    boss.on('error', () => undefined);
    await boss.start();
    const completedTicks = async () =>
      (await db.pool.query(`SELECT count(*)::int AS n FROM ${JOB_ENGINE_SCHEMA}.job WHERE name = $1 AND state = 'completed'`, [TICK_QUEUE])).rows[0]
        .n as number;
    try {
      // The pass gets as far as recording the tick, and waits there on a tick row this test is inserting.
      const blocker = await hold();
      await blocker.query('BEGIN');
      await blocker.query(`INSERT INTO scheduler_tick (scraper_id, fire_at, outcome, caught_up) VALUES ($1, $2, 'QUEUED', true)`, [scraperId, fireAt]);
      await boss.send(TICK_QUEUE, null);
      await waitForApiBlockedOn('scheduler_tick', 'the pass to wait on the tick row');

      killed.kill('SIGKILL');
      await killed.exited;
      await blocker.query('ROLLBACK');
      letGo(blocker);
      // The killed pass's transaction dies with its connection: no tick, no run, cursor unmoved.
      await waitUntil(async () => {
        const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'scrapedeck'`);
        return rows[0].n === 0;
      }, 'the killed instance’s connections to end');
      expect(await ticksOf(db.pool, scraperId)).toEqual([]);
      expect(await runsOf(db.pool, scraperId)).toEqual([]);

      await start(true);
      const before = await completedTicks();
      await boss.send(TICK_QUEUE, null);
      // The killed instance's tick holds the queue's one running slot until pg-boss sees its heartbeat stop.
      await waitUntil(async () => (await completedTicks()) > before, 'a pass on the restarted instance', 40_000);
      await boss.send(TICK_QUEUE, null);
      await waitUntil(async () => (await completedTicks()) > before + 1, 'a second pass on the restarted instance', 30_000);

      const ticks = await ticksOf(db.pool, scraperId);
      const runs = await runsOf(db.pool, scraperId);
      expect(ticks).toMatchObject([{ fireAt, outcome: 'QUEUED', caughtUp: true, runId: runs[0]?.id }]);
      expect(runs).toMatchObject([{ status: 'QUEUED', triggeredBy: 'SCHEDULER' }]);
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});
