/**
 * Fan-out past one process: two server instances on one database, each with its own LISTEN
 * connection, and what happens when that connection is killed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLogBatch } from '../../server/logs/sql/insertLogBatch.ts';
import { finishRun } from '../../server/runs/sql/finishRun.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { collect } from '../helpers/graphql.ts';
import { listenerBackends, withListenersCut } from '../helpers/listener.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const APPEND = /* GraphQL */ `
  mutation Append($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
    appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { __typename ... on MutationAppendLogsSuccess { data { fromSeq toSeq } } }
  }`;
const SUBSCRIBE = `subscription($jobId: ID!, $afterSeq: Int) { jobLogs(jobId: $jobId, afterSeq: $afterSeq) { lastSeq lines { seq message } ended { status } } }`;
const RUN_UPDATED_BY_JOB = `subscription($jobId: ID!) { runUpdated(jobId: $jobId) { id status } }`;
const RUN_UPDATED_BY_SCRAPER = `subscription($scraperId: ID!) { runUpdated(scraperId: $scraperId) { id status scraper { id } } }`;

const db = useTestDatabase();
let a: TestServer;
let b: TestServer;
let scraperId: number;
let runner: Awaited<ReturnType<typeof seedRunner>>;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestServer(db.url), startTestServer(db.url)]);
  ({ scraperId } = await seedScraper(db.pool));
  runner = await seedRunner(db.pool);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const seqsOf = (sub: ReturnType<typeof collect>) => sub.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.seq));

describe('two server instances on one database', () => {
  it('deliver a line appended through one to subscribers of the other, in order and without gaps', async () => {
    const jobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const wsA = a.admin.ws();
    const wsB = b.admin.ws();
    const onA = collect(wsA, SUBSCRIBE, { jobId });
    const onB = collect(wsB, SUBSCRIBE, { jobId });
    const viaA = a.client({ apiKey: runner.apiKey });
    const viaB = b.client({ apiKey: runner.apiKey });

    const first = await viaA.data(APPEND, { jobId, batchId: 'one', logs: [{ level: 'INFO', message: 'through A' }] });
    expect(first.appendLogs.data).toEqual({ fromSeq: 1, toSeq: 1 });
    await onB.waitFor(() => seqsOf(onB).length >= 1);
    expect(onB.events[0].jobLogs.lines[0].message).toBe('through A');

    // Both instances take appends at once; each subscriber still sees 1..N exactly once. Each
    // instance hands its own batches to its own subscribers without a read, and must not let one
    // overtake the other instance's batch committed before it.
    let total = 1;
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        range(1, 10).map((i) =>
          (i % 2 ? viaA : viaB).data(APPEND, { jobId, batchId: `mix-${round}-${i}`, logs: range(1, i).map((j) => ({ level: 'INFO', message: `${round}.${i}.${j}` })) }),
        ),
      );
      total += 55;
    }
    for (const sub of [onA, onB]) {
      await sub.waitFor(() => seqsOf(sub).length >= total);
      expect(seqsOf(sub)).toEqual(range(1, total));
      expect(sub.errors).toEqual([]);
      sub.dispose();
    }
    await wsA.dispose();
    await wsB.dispose();
  });

  it('give subscribers of the appending instance each line exactly as history returns it', async () => {
    const jobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const FULL = `subscription($jobId: ID!) { jobLogs(jobId: $jobId) { lines { seq level message timestamp receivedAt } } }`;
    const ws = a.admin.ws();
    const live = collect(ws, FULL, { jobId });
    const viaA = a.client({ apiKey: runner.apiKey });
    const liveLines = () => live.events.flatMap((e: any) => e.jobLogs.lines);
    // Once the first line is delivered, each batch that follows it is handed over by the instance that stored it.
    await viaA.data(APPEND, { jobId, batchId: 'exact-first', logs: [{ level: 'INFO', message: 'first' }] });
    await live.waitFor(() => liveLines().length >= 1);
    const batches = [
      [{ level: 'WARNING', message: 'runner clock', timestamp: '2026-03-04T05:06:07.089Z' }, { level: 'DEBUG', message: 'no clock' }],
      [{ level: 'ERROR', message: 'nul \u0000 and half \uD800 a pair' }, { level: 'CRITICAL', message: 'clock', timestamp: '2001-02-03T04:05:06.007Z' }],
    ];
    const handedOver = async () => (await scrapeMetrics(a.port)).value('scrapedeck_log_batches_fanned_out_total', { source: 'stored' }) ?? Number.NaN;
    const handedOverBefore = await handedOver();
    // Whether a batch is handed over or read back depends on which of its NOTIFY and its insert's
    // answer arrives first, so append until some have been handed over (on a loaded machine the
    // NOTIFY can win many times in a row), then compare every line with history.
    let expected = 1;
    for (let round = 0; round < 10 || ((await handedOver()) <= handedOverBefore && round < 70); round++) {
      for (const [i, logs] of batches.entries()) {
        await viaA.data(APPEND, { jobId, batchId: `exact-${round}-${i}`, logs });
        expected += logs.length;
        await live.waitFor(() => liveLines().length >= expected);
      }
    }
    expect(await handedOver()).toBeGreaterThan(handedOverBefore);
    const history = await a.admin.data(
      `query($jobId: ID!) { jobLogs(jobId: $jobId, first: 300) { edges { node { seq level message timestamp receivedAt } } } }`,
      { jobId },
    );
    expect(history.jobLogs.edges).toHaveLength(expected);
    expect(liveLines()).toEqual(history.jobLogs.edges.map((e: any) => e.node));
    expect(liveLines().slice(0, 5).map((l: any) => l.message)).toEqual(['first', 'runner clock', 'no clock', 'nul \uFFFD and half \uFFFD a pair', 'clock']);
    live.dispose();
    await ws.dispose();
  });

  it('deliver runUpdated from one instance to subscribers of the other, by job and by scraper', async () => {
    const other = await seedScraper(db.pool);
    const ws = b.admin.ws();
    const byScraper = collect(ws, RUN_UPDATED_BY_SCRAPER, { scraperId: String(scraperId) });
    const byOtherScraper = collect(ws, RUN_UPDATED_BY_SCRAPER, { scraperId: String(other.scraperId) });
    // A subscription is in force once it has seen something; keep triggering until it has.
    const triggered = new Set<string>();
    await waitUntil(async () => {
      // A scraper runs one run at a time: the previous attempt's run makes way.
      await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE scraper_id = $1 AND status = 'QUEUED'`, [scraperId]);
      const { triggerRun } = await a.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, {
        id: String(scraperId),
      });
      triggered.add(triggerRun.data.id);
      return byScraper.events.some((e: any) => triggered.has(e.runUpdated.id));
    }, 'the scraper subscription to see a triggered run');
    // The last one triggered is the one still queued, and the subscription, now in force, sees it.
    const jobId = [...triggered].at(-1)!;
    await byScraper.waitFor(() => byScraper.events.some((e: any) => e.runUpdated.id === jobId));
    expect(byScraper.events.find((e: any) => e.runUpdated.id === jobId).runUpdated).toMatchObject({ status: 'QUEUED', scraper: { id: String(scraperId) } });

    const byJob = collect(ws, RUN_UPDATED_BY_JOB, { jobId });
    // Announce the run (as any transition would) until the subscription has surely registered.
    await waitUntil(async () => {
      await db.pool.query(`SELECT pg_notify('run_updated', $1)`, [`${jobId}:${scraperId}`]);
      return byJob.events.length > 0;
    }, 'the run subscription to see its run');
    expect(byJob.events[0].runUpdated).toEqual({ id: jobId, status: 'QUEUED' });
    await a.admin.data(`mutation($jobId: ID!) { cancelRun(jobId: $jobId) { __typename } }`, { jobId });
    await byJob.waitFor(() => byJob.events.some((e: any) => e.runUpdated.status === 'CANCELLED'));
    expect(byJob.events.every((e: any) => e.runUpdated.id === jobId)).toBe(true);
    expect(byOtherScraper.events).toEqual([]);
    // Leave no queued run behind for the next test's claim.
    await db.pool.query(`UPDATE run SET status = 'CANCELLED' WHERE status = 'QUEUED'`);
    for (const sub of [byScraper, byOtherScraper, byJob]) {
      expect(sub.errors).toEqual([]);
      sub.dispose();
    }
    await ws.dispose();
  });
});

describe('the LISTEN connection', () => {
  it('reconnects after its backend is terminated and catches up on what was committed while it was away', async () => {
    const jobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const viaA = a.client({ apiKey: runner.apiKey });
    await viaA.data(APPEND, { jobId, batchId: 'before', logs: [{ level: 'INFO', message: 'before' }] });
    const ws = b.admin.ws();
    const logs = collect(ws, SUBSCRIBE, { jobId });
    const status = collect(ws, RUN_UPDATED_BY_JOB, { jobId });
    await logs.waitFor(() => seqsOf(logs).length >= 1);
    expect(await listenerBackends(db)).toBe(2);

    // Committed while nobody listens: these notifications are lost, only the table keeps them.
    await withListenersCut(db, async (writer) => {
      const range1 = await insertLogBatch(writer, {
        runId: Number(jobId),
        batchId: 'while-away',
        lines: range(1, 3).map((i) => ({ level: 'WARNING' as const, message: `away ${i}`, timestamp: new Date() })),
        runnerId: null,
        leaseSeconds: 60,
      });
      expect(range1).toMatchObject({ fromSeq: 2, toSeq: 4 });
      expect(await finishRun(writer, { runId: Number(jobId), status: 'ERROR', fromStatuses: ['RUNNING'], runnerId: null, errorType: 'TEST' })).not.toBeNull();
    });

    await waitUntil(async () => (await listenerBackends(db)) === 2, 'both instances to listen again');
    await logs.waitFor(() => seqsOf(logs).length >= 4);
    expect(seqsOf(logs)).toEqual([1, 2, 3, 4]);
    expect(logs.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.message))).toEqual(['before', 'away 1', 'away 2', 'away 3']);
    // The run's subscriber is told its run again, read fresh, so it sees the change it missed.
    await status.waitFor(() => status.events.some((e: any) => e.runUpdated.status === 'ERROR'));

    // The run ended while the instance was away: once it has every line, its log subscriber is told and completes.
    await logs.waitFor(() => logs.completed);
    expect(logs.events.at(-1).jobLogs).toEqual({ lastSeq: 4, lines: [], ended: { status: 'ERROR' } });
    expect(seqsOf(logs)).toEqual([1, 2, 3, 4]);

    // And live fan-out is back: a line appended to the next run arrives without any further help.
    const nextJobId = await claimRunFor(a, (await seedScraper(db.pool)).scraperId, runner.apiKey);
    const next = collect(ws, SUBSCRIBE, { jobId: nextJobId });
    await viaA.data(APPEND, { jobId: nextJobId, batchId: 'after', logs: [{ level: 'INFO', message: 'after' }] });
    await next.waitFor(() => seqsOf(next).length >= 1);
    expect(next.events.flatMap((e: any) => e.jobLogs.lines.map((l: any) => l.message))).toEqual(['after']);
    expect([...logs.errors, ...status.errors, ...next.errors]).toEqual([]);
    next.dispose();
    status.dispose();
    await ws.dispose();
  });
});
