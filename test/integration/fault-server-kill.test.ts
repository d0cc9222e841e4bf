/**
 * The API process is SIGKILLed mid-run and started again on the same port: the runner's batches
 * are retried with their batch ids until stored, and each is stored exactly once, including the
 * one whose transaction committed after the process that sent it was gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { collect } from '../helpers/graphql.ts';
import { JOB_LOGS, batchLines, deliveredLines, shipBatch, type ShippedBatch } from '../helpers/logShipper.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const BATCHES = 40;
const LINES_PER_BATCH = 25;
/** The batch that is inside the database, waiting on a lock, when its server is killed. */
const STRANDED = 12;

let db: TestDatabase;
let port: number;
let api: ServerProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  port = await freePort();
});

afterAll(async () => {
  api?.kill('SIGKILL');
  await api?.exited;
  await db?.drop();
});

const start = async () => (api = await startServerProcess({ databaseUrl: db.url, port, env: { SCHEDULER: 'false', LOG_LEVEL: 'warn' } }));

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
    const locker = await db.pool.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM run WHERE id = $1 FOR UPDATE', [jobId]);
    const rest = ship(STRANDED, BATCHES);
    await waitUntil(async () => {
      const { rows } = await db.pool.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'scrapedeck' AND wait_event_type = 'Lock'`,
      );
      return rows[0]!.waiting === 1;
    }, 'the stranded batch to wait on the row lock');

    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Its server is gone, but its statement is still queued for the lock: releasing it lets that batch commit.
    await locker.query('COMMIT');
    locker.release();
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
  });
});
