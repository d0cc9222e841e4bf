import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { LogRetention } from '../../server/logs/retention.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const logger = createLogger('silent');
const db = useTestDatabase();
let scraperId: number;

beforeAll(async () => {
  ({ scraperId } = await seedScraper(db.pool));
});

/** A run queued `daysAgo` days ago holding `lines` lines, each received `lineAges[i]` days ago. */
async function runWithLines(status: 'SUCCESS' | 'RUNNING', daysAgo: number, lineAges: number[]): Promise<number> {
  const { rows } = await db.pool.query(
    `INSERT INTO run (scraper_id, triggered_by, status, queued_at, started_at, completed_at, last_seq, lease_expires_at)
     VALUES ($1, 'MANUAL', $2::"RunStatus", now() - make_interval(days => $3), now() - make_interval(days => $3),
             CASE WHEN $2 = 'SUCCESS' THEN now() - make_interval(days => $3) END, $4,
             CASE WHEN $2 = 'RUNNING' THEN now() + interval '1 hour' END)
     RETURNING id`,
    [scraperId, status, daysAgo, lineAges.length],
  );
  const runId = rows[0].id as number;
  await db.pool.query(
    `INSERT INTO log_line (run_id, seq, level, message, "timestamp", received_at)
     SELECT $1, ord, 'INFO', 'line ' || ord, now() - make_interval(days => age), now() - make_interval(days => age)
       FROM unnest($2::int[]) WITH ORDINALITY AS u(age, ord)`,
    [runId, lineAges],
  );
  return runId;
}

const seqsOf = async (runId: number) =>
  (await db.pool.query(`SELECT seq FROM log_line WHERE run_id = $1 ORDER BY seq`, [runId])).rows.map((r) => r.seq as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('log retention', () => {
  it('deletes the lines received before the cutoff, in small batches, and keeps every newer line', async () => {
    const old = await runWithLines('SUCCESS', 40, Array(23).fill(40));
    // A long run: its first lines are past the cutoff, its last ones are not.
    const mixed = await runWithLines('RUNNING', 35, [...Array(10).fill(35), ...Array(5).fill(0)]);
    const recent = await runWithLines('SUCCESS', 1, Array(8).fill(1));

    const retention = new LogRetention(db.pool, logger, { days: 30, batchSize: 7, runsPerPage: 2 });
    const pass = await retention.runOnce();
    expect(pass).toMatchObject({ skipped: false, deletedLines: 33 });
    expect(await seqsOf(old)).toEqual([]);
    expect(await seqsOf(mixed)).toEqual(range(11, 15));
    expect(await seqsOf(recent)).toEqual(range(1, 8));
    // The run rows, their seq counters and level counts are history and stay.
    expect((await db.pool.query(`SELECT last_seq FROM run WHERE id = $1`, [old])).rows[0].last_seq).toBe(23);

    expect(await retention.runOnce()).toMatchObject({ skipped: false, deletedLines: 0 });
  });

  it('lets one instance at a time do a pass', async () => {
    const run = await runWithLines('SUCCESS', 50, Array(4).fill(50));
    const holder = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    await holder.connect();
    try {
      // Another instance holds the retention lock: this one skips its pass.
      await holder.query(`SELECT pg_advisory_lock($1)`, [0x4c4f4752]);
      expect(await new LogRetention(db.pool, logger, { days: 30 }).runOnce()).toEqual({ skipped: true, deletedLines: 0, runsVisited: 0 });
      expect(await seqsOf(run)).toHaveLength(4);
    } finally {
      await holder.end();
    }
    expect((await new LogRetention(db.pool, logger, { days: 30 }).runOnce()).deletedLines).toBe(4);
  });

  it('keeps everything with LOG_RETENTION_DAYS=0', async () => {
    const run = await runWithLines('SUCCESS', 400, Array(3).fill(400));
    const retention = new LogRetention(db.pool, logger, { days: 0, intervalMs: 10 });
    retention.start();
    await retention.stop();
    expect(await seqsOf(run)).toHaveLength(3);
    await db.pool.query(`DELETE FROM log_line WHERE run_id = $1`, [run]);
  });

  it('runs in the server\'s background while runners keep appending, and every appended line is stored in order', async () => {
    const expired = await runWithLines('SUCCESS', 60, Array(3000).fill(60));
    // The server's own retention, from its configuration: a pass every second, 5000 lines a delete.
    const server: TestServer = await startTestServer(db.url, { logRetentionDays: 30, logRetentionIntervalSeconds: 1 });
    try {
      const runner = await seedRunner(db.pool);
      const jobId = await insertRunningRun(db.pool, scraperId, runner.runnerId);
      const client = server.client({ apiKey: runner.apiKey });
      let batches = 0;
      // Appends go on until a background pass has deleted the expired run's lines.
      while ((await seqsOf(expired)).length > 0 || batches < 5) {
        const lines = Array.from({ length: 20 }, (_, i) => ({ level: 'INFO', message: `live ${batches}.${i}` }));
        const { appendLogs } = await client.data(
          `mutation($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) { appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { ... on MutationAppendLogsSuccess { data { fromSeq toSeq } } } }`,
          { jobId, batchId: `b${batches}`, logs: lines },
        );
        expect(appendLogs.data).toEqual({ fromSeq: batches * 20 + 1, toSeq: batches * 20 + 20 });
        batches++;
        if (batches > 5000) throw new Error('retention never ran');
      }
      expect(await seqsOf(expired)).toEqual([]);
      expect(await seqsOf(Number(jobId))).toEqual(range(1, batches * 20));
    } finally {
      await server.stop();
    }
  });
});
