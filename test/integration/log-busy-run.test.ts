/**
 * One run whose batches come many at a time (a runner posting from several threads): an instance
 * stores the batches that wait while the run's previous statement is at the database together, in
 * one statement, and its subscribers get every line once and in order however the answers come
 * back. The run's row lock is held from a test connection, so that the batches surely wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import { collect, type GraphQLTestClient } from '../helpers/graphql.ts';
import { APPEND_LOGS, JOB_LOGS_BY_LEVEL } from '../helpers/logShipper.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
let a: TestServer;
let b: TestServer;
let runner: Awaited<ReturnType<typeof seedRunner>>;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestServer(db.url), startTestServer(db.url)]);
  runner = await seedRunner(db.pool);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

/** How long requests may take to arrive and queue on a loaded machine; these waits time nothing. */
const LOADED_MACHINE_MS = 90_000;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
const batchOf = (batch: string, size: number) => range(1, size).map((i) => ({ level: LEVELS[i % 5]!, message: `${batch} line ${i}` }));

/**
 * Holds the run's row lock while `send` starts its appends, until `atLock` statements wait on it
 * (one per instance) and `queued` batches wait behind them in the instances.
 */
async function withRunLocked<T>(runId: string, atLock: number, queued: number, send: () => Promise<T>): Promise<T> {
  const holder = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM run WHERE id = $1 FOR UPDATE', [Number(runId)]);
    const sent = send();
    await waitUntil(async () => {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return rows[0].n >= atLock;
    }, 'appends waiting on the run row lock', LOADED_MACHINE_MS);
    await waitUntil(async () => (await batchesWaiting()) >= queued, 'batches waiting in the instances', LOADED_MACHINE_MS);
    await holder.query('COMMIT');
    return await sent;
  } finally {
    await holder.end();
  }
}

const batchesWaiting = async () => {
  let count = 0;
  for (const server of [a, b]) count += (await scrapeMetrics(server.port)).value('scrapedeck_log_batches_waiting') ?? 0;
  return count;
};

/** Distinct transactions that stored the run's batches. */
async function statementsOf(runId: string): Promise<number> {
  const { rows } = await db.pool.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM log_batch WHERE run_id = $1`, [Number(runId)]);
  return rows[0].n;
}

describe('a run whose batches come many at a time', { timeout: 2 * LOADED_MACHINE_MS }, () => {
  it('stores the batches that waited together, each once, in order, with its own range and the run counts kept', async () => {
    const jobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const client: GraphQLTestClient = a.client({ apiKey: runner.apiKey });
    const ws = a.admin.ws();
    const live = collect(ws, JOB_LOGS_BY_LEVEL, { jobId });
    await client.data(APPEND_LOGS, { jobId, batchId: 'first', logs: [{ level: 'INFO', message: 'first' }] });
    await live.waitFor(() => live.events.length >= 1);

    const answers = await withRunLocked(jobId, 1, 31, () =>
      Promise.all(
        range(1, 32).map(async (n) => {
          // Batch 7 is sent twice at once; the second delivery is answered with the first's range.
          const batchId = n === 32 ? 'batch-7' : `batch-${n}`;
          const { appendLogs } = await client.data(APPEND_LOGS, { jobId, batchId, logs: batchOf(batchId, n === 32 ? 7 : n) });
          return { batchId, ...appendLogs.data };
        }),
      ),
    );
    // "first", then whichever batch came first and waited at the lock alone; every other one waited
    // in the instance and went with the next statement, but for a second delivery of batch 7, which
    // a group holds once (none is left over when a delivery of batch 7 was the one at the lock).
    expect([3, 4]).toContain(await statementsOf(jobId));

    const { rows } = await db.pool.query(`SELECT seq, level, message FROM log_line WHERE run_id = $1 ORDER BY seq`, [Number(jobId)]);
    expect(rows.map((r) => r.seq)).toEqual(range(1, 1 + (31 * 32) / 2));
    for (const answer of answers) {
      const size = Number(answer.batchId.slice('batch-'.length));
      expect(answer.toSeq - answer.fromSeq + 1).toBe(size);
      expect(rows.slice(answer.fromSeq - 1, answer.toSeq).map((r) => r.message)).toEqual(batchOf(answer.batchId, size).map((l) => l.message));
    }
    const sevens = answers.filter((x) => x.batchId === 'batch-7');
    expect(sevens.map((x) => x.duplicate).sort()).toEqual([false, true]);
    expect(sevens[0]).toMatchObject({ fromSeq: sevens[1]!.fromSeq, toSeq: sevens[1]!.toSeq });

    const counts = (await db.pool.query(`SELECT last_seq, debug_count, info_count, warning_count, error_count, critical_count FROM run WHERE id = $1`, [Number(jobId)])).rows[0];
    expect(counts.last_seq).toBe(rows.length);
    for (const level of LEVELS) expect(counts[`${level.toLowerCase()}_count`]).toBe(rows.filter((r) => r.level === level).length);

    await live.waitFor(() => live.events.flatMap((e: any) => e.jobLogs.lines).length >= rows.length);
    expect(live.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq))).toEqual(range(1, rows.length));
    expect(live.errors).toEqual([]);
    live.dispose();
    await ws.dispose();
  });

  it('stores the rest of a group when another instance stores one of its batches at the same moment', async () => {
    const jobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const viaA = a.client({ apiKey: runner.apiKey });
    const viaB = b.client({ apiKey: runner.apiKey });
    await viaA.data(APPEND_LOGS, { jobId, batchId: 'first', logs: [{ level: 'INFO', message: 'first' }] });
    // Each instance has a group waiting behind its first statement, and both groups hold "shared".
    const answers = await withRunLocked(jobId, 2, 6, () =>
      Promise.all(
        ['a-lead', 'b-lead', 'a-1', 'b-1', 'shared', 'shared', 'a-2', 'b-2'].map(async (batchId, i) => {
          const { appendLogs } = await (i % 2 === 0 ? viaA : viaB).data(APPEND_LOGS, { jobId, batchId, logs: batchOf(batchId, 3) });
          return { batchId, ...appendLogs };
        }),
      ),
    );
    for (const answer of answers) expect(answer.__typename).toBe('MutationAppendLogsSuccess');
    const shared = answers.filter((x) => x.batchId === 'shared').map((x) => x.data);
    expect(shared.map((d) => d.duplicate).sort()).toEqual([false, true]);
    expect(shared[0]).toMatchObject({ fromSeq: shared[1].fromSeq, toSeq: shared[1].toSeq });
    const { rows } = await db.pool.query(`SELECT seq, message FROM log_line WHERE run_id = $1 ORDER BY seq`, [Number(jobId)]);
    expect(rows.map((r) => r.seq)).toEqual(range(1, 1 + 7 * 3));
    expect(rows.filter((r) => r.message.startsWith('shared '))).toHaveLength(3);
  });

  it('stores the rest of a group, batch by batch, when one of its batch ids is taken while it waits', async () => {
    const jobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const client = a.client({ apiKey: runner.apiKey });
    const send = (batchId: string) => client.data(APPEND_LOGS, { jobId, batchId, logs: batchOf(batchId, 2) }).then((d) => ({ batchId, ...d.appendLogs }));
    const locksWaited = (n: number) =>
      waitUntil(async () => {
        const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return rows[0].n >= n;
      }, 'a statement waiting on a lock', LOADED_MACHINE_MS);
    const runLock = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    const otherWriter = tolerateConnectionLoss(new pg.Client({ connectionString: db.url }));
    await Promise.all([runLock.connect(), otherWriter.connect()]);
    try {
      // Another writer takes the id "shared", uncommitted, before the group's statement can see it.
      await otherWriter.query('BEGIN');
      await otherWriter.query(`INSERT INTO log_batch (run_id, batch_id, from_seq, to_seq) VALUES ($1, 'shared', 1000, 1001)`, [Number(jobId)]);
      // The appends' lock on the run: it lets the other writer's key share be.
      await runLock.query('BEGIN');
      await runLock.query('SELECT 1 FROM run WHERE id = $1 FOR NO KEY UPDATE', [Number(jobId)]);
      const lead = send('lead');
      await locksWaited(1);
      const group = ['shared', 'g-1', 'g-2'].map(send);
      await waitUntil(async () => (await batchesWaiting()) >= 3, 'the group waiting in the instance', LOADED_MACHINE_MS);
      await runLock.query('COMMIT');
      await lead;
      await locksWaited(1);
      await otherWriter.query('COMMIT');
      const answers = await Promise.all(group);
      expect(answers.map((x) => x.__typename)).toEqual(['MutationAppendLogsSuccess', 'MutationAppendLogsSuccess', 'MutationAppendLogsSuccess']);
      expect(answers[0]!.data).toEqual({ fromSeq: 1000, toSeq: 1001, duplicate: true });
      // The two went one after the other in the order they reached the server, which concurrent requests do not fix.
      const stored = answers.slice(1).sort((x, y) => x.data.fromSeq - y.data.fromSeq);
      expect(stored.map((x) => x.data)).toEqual([
        { fromSeq: 3, toSeq: 4, duplicate: false },
        { fromSeq: 5, toSeq: 6, duplicate: false },
      ]);
      const lines = await db.pool.query(`SELECT message FROM log_line WHERE run_id = $1 AND seq BETWEEN 3 AND 6 ORDER BY seq`, [Number(jobId)]);
      expect(lines.rows.map((r) => r.message)).toEqual(stored.flatMap((x) => batchOf(x.batchId, 2).map((l) => l.message)));
      // The group's statement failed as a whole; its other batches then went one statement each.
      const { rows } = await db.pool.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM log_batch WHERE run_id = $1 AND batch_id IN ('g-1', 'g-2')`, [Number(jobId)]);
      expect(rows[0].n).toBe(2);
    } finally {
      await Promise.all([runLock.end(), otherWriter.end()]);
    }
  });

  it('refuses the batch of a runner that does not hold the run and stores the rest of its group', async () => {
    const jobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const other = await seedRunner(db.pool, 'not-the-holder');
    const holder = a.client({ apiKey: runner.apiKey });
    const stranger = a.client({ apiKey: other.apiKey });
    const answers = await withRunLocked(jobId, 1, 3, () =>
      Promise.all(
        ['lead', 'mine-1', 'theirs', 'mine-2'].map(async (batchId) => {
          const { appendLogs } = await (batchId === 'theirs' ? stranger : holder).data(APPEND_LOGS, { jobId, batchId, logs: batchOf(batchId, 2) });
          return { batchId, typename: appendLogs.__typename };
        }),
      ),
    );
    expect(answers.find((x) => x.batchId === 'theirs')!.typename).not.toBe('MutationAppendLogsSuccess');
    expect(answers.filter((x) => x.typename === 'MutationAppendLogsSuccess').map((x) => x.batchId).sort()).toEqual(['lead', 'mine-1', 'mine-2']);
    const { rows } = await db.pool.query(`SELECT message FROM log_line WHERE run_id = $1 ORDER BY seq`, [Number(jobId)]);
    expect(rows.filter((r) => r.message.startsWith('theirs'))).toEqual([]);
    expect(rows).toHaveLength(6);
  });
});
